/**
 * The pure half of ingestion: given a batch of notifications and what the database holds about them
 * (the snapshot ingest.ts loads under the merchants' locks), decides each notification in order with
 * the accrual rules and says what to write. No I/O; the snapshot's working maps are updated in place,
 * so that a later notification of the batch sees the earlier ones.
 */
import { decide, type AccrualOutcome, type MerchantAccrualContext, type PaymentSignal, type TradeState } from './accrual.ts';
import { businessDay } from '../shared/business-day.ts';
import type { PaymentNotification } from './notification.ts';
import { rulesetAt, type RulesetVersion } from '../points/accrual-rules.ts';
import { budgetKey, budgetPeriodOf, type BudgetRoom } from '../budgets/budget-rules.ts';

export interface IngestResult {
  tradeNo: string;
  /**
   * applied: state changed; duplicate: a repeat with no effect; unmatched: payee not enrolled;
   * parked: failed on its own, set aside for operators (see isolate.ts); beyond_history: a payment
   * made before the kept history (history.ts), which no decision can be taken on: no effect.
   */
  status: 'applied' | 'duplicate' | 'unmatched' | 'parked' | 'beyond_history';
  outcome: AccrualOutcome | null;
  creditFen: number;
  welcomeFen: number;
  clawedBackFen: number;
  signals: PaymentSignal[];
  /** Parked only: why it failed. */
  error?: string;
}

export interface IngestSnapshot {
  versions: readonly RulesetVersion[];
  merchantByWallet: ReadonlyMap<string, number>;
  /** The batch's trades as stored (locked), by trade number. */
  trades: Map<string, TradeState>;
  /** Every merchant the batch names (seller, or payer that is a merchant), with its payers of the batch's days. */
  contexts: Map<number, MerchantAccrualContext>;
  /** Merchants each payer earned credit for, by `${buyerId}|${businessDay}`. */
  payerMerchants: Map<string, number[]>;
  /** The city of every merchant in `contexts`. */
  cityOf: ReadonlyMap<number, string>;
  /** The room left in the budgets of the batch's cities and periods, by budgetKey(city, period); taken from as credit is granted. */
  budgets: ReadonlyMap<string, BudgetRoom>;
  /** The batch's arrival: the time of a notification that carries none. */
  now: Date;
  /** The first business day whose history is kept. */
  retainedFrom: string;
}

export interface Earn {
  trade: TradeState;
  lot: 'payer' | 'welcome';
  amountFen: number;
  /** When the merchant could first see it: the collection window runs from here. */
  visibleAt: Date;
}

export interface IngestPlan {
  results: IngestResult[];
  changedTrades: TradeState[];
  /** `${merchantId}|${businessDay}` whose payers changed. */
  changedDays: Set<string>;
  /** `${buyerId}|${businessDay}` whose merchants changed. */
  changedPayerDays: Set<string>;
  welcomed: { merchantId: number; tradeNo: string }[];
  earns: Earn[];
  clawbacks: { trade: TradeState; owedFen: number }[];
  signalCounts: Map<number, Record<string, number>>;
}

export function planIngest(notifications: readonly PaymentNotification[], snapshot: IngestSnapshot): IngestPlan {
  const { versions, merchantByWallet, trades, contexts, payerMerchants, cityOf, budgets } = snapshot;
  const results: IngestResult[] = [];
  const changed = new Map<string, TradeState>();
  const changedDays = new Set<string>();
  const changedPayerDays = new Set<string>();
  const welcomed: { merchantId: number; tradeNo: string }[] = [];
  const earns: Earn[] = [];
  const clawbacks: { trade: TradeState; owedFen: number }[] = [];
  const signalCounts = new Map<number, Record<string, number>>();

  for (const original of notifications) {
    let n = original;
    // a known trade keeps the payee it was first stored with (a payee enrolled since, or a
    // notification naming another seller, must not move it to a merchant this batch did not lock)
    // a payment before the kept history: its day's payers are gone, so nothing can be decided on it
    if (n.gmtPayment && businessDay(n.gmtPayment) < snapshot.retainedFrom) {
      results.push({ tradeNo: n.tradeNo, status: 'beyond_history', outcome: null, creditFen: 0, welcomeFen: 0, clawedBackFen: 0, signals: [] });
      continue;
    }
    const known = trades.get(n.tradeNo);
    const merchantId = known ? known.merchantId : (merchantByWallet.get(n.sellerId) ?? null);
    if (known && known.sellerId !== n.sellerId) n = { ...n, sellerId: known.sellerId };
    const ctx = merchantId === null ? null : (contexts.get(merchantId) ?? null);
    const at = n.gmtPayment ?? trades.get(n.tradeNo)?.paidAt ?? snapshot.now;
    const ruleset = rulesetAt(versions, at);
    const day = businessDay(at);
    const payerMerchantId = merchantByWallet.get(n.buyerId) ?? null;
    const payerCtx = payerMerchantId === null ? undefined : contexts.get(payerMerchantId);
    const todays = payerMerchants.get(`${n.buyerId}|${day}`) ?? [];
    const prior = trades.get(n.tradeNo) ?? null;
    const wasWelcomed = ctx?.welcomed ?? false;
    const decision = decide(prior, n, ctx, ruleset.rules, ruleset.id, {
      payerMerchantId,
      reversePayment: payerCtx?.dayPayers.get(day)?.includes(n.sellerId) ?? false,
      payerMerchantsToday: todays.filter((m) => m !== merchantId).length,
      budget: roomOf(budgets, merchantId === null ? undefined : cityOf.get(merchantId), day),
    });
    const next = decision.next;
    trades.set(n.tradeNo, next);
    if (!decision.unchanged && worthKeeping(next)) changed.set(n.tradeNo, next);
    for (const e of decision.effects) {
      // the collection window runs from when the platform told us (notify_time), not from the
      // payment: a notification delivered late leaves the merchant the whole window
      if (e.kind === 'earn') earns.push({ trade: next, lot: e.lot, amountFen: e.amountFen, visibleAt: laterOf(next.paidAt!, n.notifyTime) });
      else clawbacks.push({ trade: next, owedFen: e.amountFen });
    }
    const decidedNow = prior?.outcome == null && next.outcome !== null;
    if (decidedNow && ctx) {
      if (next.outcome === 'credited' || next.outcome === 'small_payment') {
        changedDays.add(`${ctx.merchantId}|${next.businessDay}`);
        if (!todays.includes(ctx.merchantId)) payerMerchants.set(`${n.buyerId}|${next.businessDay}`, [...todays, ctx.merchantId]);
        changedPayerDays.add(`${n.buyerId}|${next.businessDay}`);
      }
      if (!wasWelcomed && ctx.welcomed) welcomed.push({ merchantId: ctx.merchantId, tradeNo: n.tradeNo });
      if (next.signals.length) {
        const counts = signalCounts.get(ctx.merchantId) ?? {};
        for (const s of next.signals) counts[s] = (counts[s] ?? 0) + 1;
        signalCounts.set(ctx.merchantId, counts);
      }
    }
    results.push({
      tradeNo: n.tradeNo,
      status: merchantId === null ? 'unmatched' : decision.unchanged ? 'duplicate' : 'applied',
      outcome: next.outcome,
      creditFen: next.creditFen,
      welcomeFen: next.welcomeFen,
      clawedBackFen: next.clawedBackFen,
      signals: next.signals,
    });
  }
  return { results, changedTrades: [...changed.values()], changedDays, changedPayerDays, welcomed, earns, clawbacks, signalCounts };
}

/**
 * Most notifications of a real day earn nothing: a payer already counted, a day already full, a
 * merchant paying itself. Deciding them again gives the same answer whatever happens later (a day's
 * payers only grow), so they are not stored: a notification that earns nothing costs no write.
 * Kept: what earned (refunds claw it back), what was refunded before success (it must never earn
 * later), trades still waiting for payment, and payments to payees not enrolled (operators see them).
 */
function worthKeeping(t: TradeState): boolean {
  return t.merchantId === null || t.outcome === null || t.outcome === 'credited' || t.outcome === 'small_payment' || t.outcome === 'refunded_before_success';
}

function roomOf(budgets: ReadonlyMap<string, BudgetRoom>, city: string | undefined, day: string): BudgetRoom | undefined {
  return city === undefined ? undefined : budgets.get(budgetKey(city, budgetPeriodOf(day)));
}

function laterOf(a: Date, b: Date | null): Date {
  return b !== null && b.getTime() > a.getTime() ? b : a;
}

