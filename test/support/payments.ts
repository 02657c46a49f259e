import type { PaymentNotification, TradeStatus } from '../../src/payments/notification.ts';

/** A parsed notification with sensible defaults, for tests and the model. */
export function notification(overrides: Partial<PaymentNotification> & { tradeNo: string; sellerId: string; buyerId: string }): PaymentNotification {
  return {
    notifyId: null,
    notifyTime: null,
    notifyType: 'trade_status_sync',
    appId: null,
    outTradeNo: null,
    tradeStatus: 'TRADE_SUCCESS' as TradeStatus,
    totalAmountFen: 1000,
    receiptAmountFen: null,
    refundFeeFen: null,
    gmtPayment: new Date('2026-11-20T02:00:00Z'),
    gmtRefund: null,
    ...overrides,
  };
}

export function payerWallet(n: number): string {
  return `2088${String(900_000_000_000 + n).padStart(12, '0')}`;
}
