/**
 * Daily reconciliation, pure: every payout we posted has a SUCCESS record at the gateway with the same
 * amount, and every SUCCESS record of the day is a payout we posted. A payout settled just after
 * midnight may carry the gateway's date of the day before: both days' bills are looked in.
 */
import type { GatewayBillRecord } from './gateway.ts';

export interface PostedPayout {
  merchantId: number;
  payoutId: string;
  amountFen: number;
  state: string;
}

export type Mismatch =
  | { kind: 'payout_missing_at_gateway'; payoutId: string; merchantId: number; amountFen: number }
  | { kind: 'gateway_transfer_not_posted'; payoutId: string; amountFen: number; ourState: string | null }
  | { kind: 'amount_differs'; payoutId: string; merchantId: number; oursFen: number; gatewayFen: number };

export function reconcile(input: {
  /** Our payouts that succeeded (were posted) on the day. */
  postedOnDay: readonly PostedPayout[];
  /** Our payouts, whatever their state, that the day's bill names. */
  namedByBill: readonly PostedPayout[];
  billOfDay: readonly GatewayBillRecord[];
  billOfDayBefore: readonly GatewayBillRecord[];
}): Mismatch[] {
  const gatewaySuccess = new Map<string, GatewayBillRecord>();
  for (const r of [...input.billOfDayBefore, ...input.billOfDay]) if (r.status === 'SUCCESS') gatewaySuccess.set(r.outBizNo, r);
  const mismatches: Mismatch[] = [];
  for (const p of input.postedOnDay) {
    const record = gatewaySuccess.get(p.payoutId);
    if (!record) mismatches.push({ kind: 'payout_missing_at_gateway', payoutId: p.payoutId, merchantId: p.merchantId, amountFen: p.amountFen });
    else if (record.amountFen !== p.amountFen) mismatches.push({ kind: 'amount_differs', payoutId: p.payoutId, merchantId: p.merchantId, oursFen: p.amountFen, gatewayFen: record.amountFen });
  }
  const ours = new Map(input.namedByBill.map((p) => [p.payoutId, p]));
  for (const r of input.billOfDay) {
    if (r.status !== 'SUCCESS') continue;
    const p = ours.get(r.outBizNo);
    if (!p || p.state !== 'succeeded') mismatches.push({ kind: 'gateway_transfer_not_posted', payoutId: r.outBizNo, amountFen: r.amountFen, ourState: p?.state ?? null });
  }
  return mismatches;
}
