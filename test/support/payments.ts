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

/** A realistic asynchronous notification as the platform posts it (unsigned), for parser and signature tests. */
export const SAMPLE_NOTIFICATION: Readonly<Record<string, string>> = {
  notify_id: '2026112400222100000012345678',
  notify_time: '2026-11-24 09:30:05',
  notify_type: 'trade_status_sync',
  app_id: '2021000000000001',
  charset: 'utf-8',
  version: '1.0',
  trade_no: '2026112422001400001234567890',
  out_trade_no: 'QR-20261124-0001',
  buyer_id: '2088102177000002',
  seller_id: '2088102177000001',
  trade_status: 'TRADE_SUCCESS',
  total_amount: '12.34',
  gmt_payment: '2026-11-24 09:30:04',
};
