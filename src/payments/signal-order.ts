/**
 * The cross-merchant farming signals (payer fan-out, merchants paying each other) decided on the
 * payments' own order: by payment time, then trade number (byte order). At ingestion they are
 * provisional: a batch sees the other merchants' payments that were committed when it read them,
 * so two batches in flight decide them by which commits first. Once the day is in, this pure rule
 * decides them again from the whole day, the same whatever order the payments arrived in.
 */
import type { PaymentSignal } from './accrual.ts';

/** A payment of the day that earned credit (at most one per payer and merchant: payers are distinct). */
export interface CreditedPayment {
  merchantId: number;
  tradeNo: string;
  historyDay: string;
  buyerId: string;
  sellerId: string;
  paidAt: Date;
  rulesetId: number;
  signals: readonly PaymentSignal[];
}

export interface SignalChange {
  merchantId: number;
  tradeNo: string;
  historyDay: string;
  before: readonly PaymentSignal[];
  after: PaymentSignal[];
}

const ORDER_DEPENDENT: readonly PaymentSignal[] = ['merchant_cycle', 'payer_fan_out'];

function paymentOrder(a: CreditedPayment, b: CreditedPayment): number {
  return a.paidAt.getTime() - b.paidAt.getTime() || (a.tradeNo < b.tradeNo ? -1 : a.tradeNo > b.tradeNo ? 1 : 0);
}

/**
 * Walks the day's credited payments in their own order. A payment signals fan-out when its payer
 * earned credit for more than the ruleset's limit of merchants up to and including it; a cycle when
 * its payer is a merchant whose own earlier credited payers include this payment's seller (as
 * signalsFor in accrual.ts, with "earlier" meaning earlier in time). Returns only what changes; the
 * signals keep signalsFor's order (the two order-dependent ones last).
 */
export function settleOrderedSignals(
  day: readonly CreditedPayment[],
  fanOutMerchantsPerDay: (rulesetId: number) => number,
  merchantOfWallet: ReadonlyMap<string, number>,
): SignalChange[] {
  const merchantsOfPayer = new Map<string, Set<number>>();
  const payersOfMerchant = new Map<number, Set<string>>();
  const changes: SignalChange[] = [];
  for (const p of [...day].sort(paymentOrder)) {
    const earlier = merchantsOfPayer.get(p.buyerId) ?? new Set<number>();
    const otherMerchants = earlier.size - (earlier.has(p.merchantId) ? 1 : 0);
    const payerMerchant = merchantOfWallet.get(p.buyerId);
    const cycle = payerMerchant !== undefined && (payersOfMerchant.get(payerMerchant)?.has(p.sellerId) ?? false);
    const fanOut = otherMerchants + 1 > fanOutMerchantsPerDay(p.rulesetId);
    const after = [...p.signals.filter((s) => !ORDER_DEPENDENT.includes(s)), ...(cycle ? ['merchant_cycle' as const] : []), ...(fanOut ? ['payer_fan_out' as const] : [])];
    if (after.join() !== p.signals.join()) changes.push({ merchantId: p.merchantId, tradeNo: p.tradeNo, historyDay: p.historyDay, before: p.signals, after });
    merchantsOfPayer.set(p.buyerId, earlier.add(p.merchantId));
    payersOfMerchant.set(p.merchantId, (payersOfMerchant.get(p.merchantId) ?? new Set<string>()).add(p.buyerId));
  }
  return changes;
}

/** What a merchant's signal counters (merchant_accrual.farming_signals) gain and lose by the changes. */
export function signalCountDeltas(changes: readonly SignalChange[]): Map<number, Record<string, number>> {
  const deltas = new Map<number, Record<string, number>>();
  for (const c of changes) {
    const counts = deltas.get(c.merchantId) ?? {};
    for (const s of c.before) counts[s] = (counts[s] ?? 0) - 1;
    for (const s of c.after) counts[s] = (counts[s] ?? 0) + 1;
    deltas.set(c.merchantId, Object.fromEntries(Object.entries(counts).filter(([, n]) => n !== 0)));
  }
  return deltas;
}
