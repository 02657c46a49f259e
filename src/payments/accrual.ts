/**
 * The pure accrual rules: how one payment notification changes a trade's state and what credit it
 * earns or gives back. No I/O: the ingestion path and the property tests' model both run this.
 */
import { businessDay, businessHour } from '../shared/business-day.ts';
import type { PaymentNotification, TradeStatus } from './notification.ts';
import type { AccrualRules } from '../points/accrual-rules.ts';
import { takeFromBudget, type BudgetRoom } from '../budgets/budget-rules.ts';

export type AccrualOutcome = 'credited' | 'small_payment' | 'self_payment' | 'repeat_payer' | 'day_full' | 'budget_reached' | 'not_enrolled' | 'refunded_before_success';
export type PaymentSignal = 'near_threshold_amount' | 'odd_hour' | 'payer_is_merchant' | 'merchant_cycle' | 'payer_fan_out';

/** A trade's latest known state (one row of `payments`). */
export interface TradeState {
  tradeNo: string;
  merchantId: number | null;
  sellerId: string;
  buyerId: string;
  outTradeNo: string | null;
  totalFen: number;
  refundedFen: number;
  status: TradeStatus;
  paidAt: Date | null;
  businessDay: string | null;
  rulesetId: number | null;
  outcome: AccrualOutcome | null;
  creditFen: number;
  welcomeFen: number;
  clawedBackFen: number;
  signals: PaymentSignal[];
  notifyId: string | null;
}

/** What the batch knows about a merchant while deciding; decisions update it in place. */
export interface MerchantAccrualContext {
  merchantId: number;
  walletUserId: string;
  welcomed: boolean;
  /** Distinct payers that earned credit, by business day. */
  dayPayers: Map<string, string[]>;
}

/** Facts about other parties the signals need, looked up by the caller. */
export interface SignalFacts {
  /** Merchant id of the payer when the payer's wallet is an enrolled merchant. */
  payerMerchantId: number | null;
  /** The payer's merchant had the seller among its counted payers that day (they pay each other). */
  reversePayment: boolean;
  /** Merchants the payer earned credit for that day, before this payment. */
  payerMerchantsToday: number;
  /** What the budget of the merchant's city still allows in the payment's period (none: no budget). */
  budget?: BudgetRoom | undefined;
}

export type AccrualEffect = { kind: 'earn'; lot: 'payer' | 'welcome'; amountFen: number } | { kind: 'claw_back'; amountFen: number };

export interface Decision {
  next: TradeState;
  effects: AccrualEffect[];
  /** No change at all: a repeated notification. */
  unchanged: boolean;
}

const COUNTED: readonly TradeStatus[] = ['TRADE_SUCCESS', 'TRADE_FINISHED'];
const STATUS_RANK: Record<TradeStatus, number> = { WAIT_BUYER_PAY: 0, TRADE_SUCCESS: 1, TRADE_FINISHED: 2, TRADE_CLOSED: 3 };

function netFen(t: TradeState): number {
  return t.status === 'TRADE_CLOSED' ? 0 : t.totalFen - t.refundedFen;
}

/** The payer credit a trade of this net amount deserves, never more than it first earned. */
function payerCreditFor(net: number, earned: number, rules: AccrualRules): number {
  if (net <= 0 || earned === 0) return 0;
  return Math.min(earned, net < rules.smallPaymentBelowFen ? rules.smallPaymentCreditFen : rules.creditPerPayerFen);
}

function signalsFor(t: TradeState, rules: AccrualRules, facts: SignalFacts): PaymentSignal[] {
  const s = rules.signals;
  const out: PaymentSignal[] = [];
  const net = netFen(t);
  if (net >= rules.smallPaymentBelowFen && net < rules.smallPaymentBelowFen + s.nearThresholdMarginFen) out.push('near_threshold_amount');
  if (t.paidAt) {
    const hour = businessHour(t.paidAt);
    if (hour >= s.oddHoursFrom && hour < s.oddHoursTo) out.push('odd_hour');
  }
  if (facts.payerMerchantId !== null) out.push('payer_is_merchant');
  if (facts.reversePayment) out.push('merchant_cycle');
  if (facts.payerMerchantsToday + 1 > s.fanOutMerchantsPerDay) out.push('payer_fan_out');
  return out;
}

function sameState(a: TradeState, b: TradeState): boolean {
  return a.status === b.status && a.refundedFen === b.refundedFen && a.outcome === b.outcome && a.clawedBackFen === b.clawedBackFen && a.paidAt?.getTime() === b.paidAt?.getTime();
}

/**
 * Applies one notification. The state only moves forward (statuses by rank, refunds only grow), so a
 * repeated or out-of-order notification changes nothing it should not. The accrual decision is
 * taken once, when the trade is first seen succeeded; refunds later give back what the smaller net
 * amount no longer earns, welcome credit included when nothing is left.
 */
export function decide(
  prior: TradeState | null,
  n: PaymentNotification,
  merchant: MerchantAccrualContext | null,
  rules: AccrualRules,
  rulesetId: number,
  facts: SignalFacts,
): Decision {
  const base: TradeState = prior ?? {
    tradeNo: n.tradeNo,
    merchantId: merchant?.merchantId ?? null,
    sellerId: n.sellerId,
    buyerId: n.buyerId,
    outTradeNo: n.outTradeNo,
    totalFen: n.totalAmountFen,
    refundedFen: 0,
    status: 'WAIT_BUYER_PAY',
    paidAt: null,
    businessDay: null,
    rulesetId: null,
    outcome: null,
    creditFen: 0,
    welcomeFen: 0,
    clawedBackFen: 0,
    signals: [],
    notifyId: null,
  };
  const next: TradeState = { ...base, signals: [...base.signals] };
  if (STATUS_RANK[n.tradeStatus] > STATUS_RANK[next.status]) next.status = n.tradeStatus;
  next.refundedFen = Math.min(next.totalFen, Math.max(next.refundedFen, n.refundFeeFen ?? 0));
  next.paidAt ??= n.gmtPayment;
  if (n.notifyId) next.notifyId = n.notifyId;

  const effects: AccrualEffect[] = [];
  if (next.outcome === null && COUNTED.includes(n.tradeStatus) && next.paidAt) {
    next.businessDay = businessDay(next.paidAt);
    next.rulesetId = rulesetId;
    next.outcome = decideOutcome(next, merchant, rules, facts.budget);
    if (merchant && (next.outcome === 'credited' || next.outcome === 'small_payment')) {
      next.creditFen = next.outcome === 'credited' ? rules.creditPerPayerFen : rules.smallPaymentCreditFen;
      if (next.creditFen > 0) effects.push({ kind: 'earn', lot: 'payer', amountFen: next.creditFen });
      if (!merchant.welcomed && rules.welcomeCreditFen > 0) {
        merchant.welcomed = true;
        next.welcomeFen = rules.welcomeCreditFen;
        effects.push({ kind: 'earn', lot: 'welcome', amountFen: next.welcomeFen });
      }
      // farming signals are about credit: a trade that earns nothing signals nothing
      next.signals = signalsFor(next, rules, facts);
    }
  }

  // give back what the trade no longer earns
  const net = netFen(next);
  const deserved = payerCreditFor(net, next.creditFen, rules) + (net > 0 ? next.welcomeFen : 0);
  const owed = next.creditFen + next.welcomeFen - next.clawedBackFen - deserved;
  if (owed > 0) {
    next.clawedBackFen += owed;
    effects.push({ kind: 'claw_back', amountFen: owed });
  }
  return { next, effects, unchanged: prior !== null && sameState(prior, next) };
}

function decideOutcome(t: TradeState, merchant: MerchantAccrualContext | null, rules: AccrualRules, budget: BudgetRoom | undefined): AccrualOutcome {
  if (!merchant) return 'not_enrolled';
  if (netFen(t) <= 0) return 'refunded_before_success';
  if (t.buyerId === merchant.walletUserId) return 'self_payment';
  const day = t.businessDay!;
  const payers = merchant.dayPayers.get(day) ?? [];
  if (payers.includes(t.buyerId)) return 'repeat_payer';
  if (payers.length >= rules.payersPerDay) return 'day_full';
  const small = netFen(t) < rules.smallPaymentBelowFen;
  // the city's budget (budgets/budget-rules.ts): a credit that does not fit whole earns nothing and
  // takes no payer slot, so a payer of a paused month is counted afresh when credit resumes
  const wouldGrant = (small ? rules.smallPaymentCreditFen : rules.creditPerPayerFen) + (merchant.welcomed ? 0 : rules.welcomeCreditFen);
  if (!takeFromBudget(budget, wouldGrant)) return 'budget_reached';
  merchant.dayPayers.set(day, [...payers, t.buyerId]);
  return small ? 'small_payment' : 'credited';
}
