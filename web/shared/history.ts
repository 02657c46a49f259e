/**
 * A merchant's credit history as the merchant tells it: one line per event (earned from a customer,
 * collected, spent on a visit, expired …), not one per ledger transfer. The ledger writes an earning
 * and its collection as two transfers, a claim's spend as a reservation and then its post or void;
 * shown raw, every yuan appears twice. Pure: the app folds whatever pages it has loaded.
 */

/** A ledger transfer as GET /v1/merchants/:id/transfers answers it (the fields this needs). */
export interface HistoryTransfer {
  id: string;
  amountFen: number;
  code: string;
  phase: 'single' | 'pending' | 'post' | 'void';
  pendingId: string | null;
  reference: string | null;
  createdAt: string;
}

export type HistoryKind = 'earned' | 'welcome' | 'collected' | 'spent' | 'redeemed' | 'expired' | 'lapsed' | 'taken_back' | 'audit_recovered' | 'debt_repaid' | 'over_cap' | 'other';

/**
 * earned: waiting (to be collected), collected or lapsed; spent: in_progress (the claim holds the
 * credit), paid or released (the claim paid nothing and the credit is back).
 */
export type HistoryState = 'waiting' | 'collected' | 'lapsed' | 'in_progress' | 'paid' | 'released';

export interface HistoryLine {
  /** Stable while more pages load: the id of the event's first transfer. */
  key: string;
  kind: HistoryKind;
  /** When the event happened (its first transfer). */
  at: string;
  amountFen: number;
  /** +1 adds to the merchant's credit, −1 takes from it, 0 moves it without changing the total (a collection) or gave it back. */
  sign: 1 | -1 | 0;
  state: HistoryState | null;
  /** How many earnings a collection (or a sweep) took in. */
  count: number;
  /** A claim's spend: the claim it paid (the line opens it). */
  claimId: string | null;
  /** An earning or a refund: the customer's payment (its trade number). */
  tradeNo: string | null;
}

/** Ledger codes that make a line of their own, with their sign; the batch ones are folded per transaction. */
const PER_BATCH: Record<string, { kind: HistoryKind; sign: -1 | 0 }> = {
  collect: { kind: 'collected', sign: 0 },
  debt_repay: { kind: 'debt_repaid', sign: 0 },
  over_cap: { kind: 'over_cap', sign: -1 },
  expire: { kind: 'expired', sign: -1 },
  lapse: { kind: 'lapsed', sign: -1 },
};
const EARNING: Record<string, HistoryKind> = { accrual: 'earned', welcome: 'welcome' };
/** Codes whose transfers of one trade (uncollected, available, into debt) are one refund. */
const CLAWBACK = new Set(['clawback', 'clawback_debt']);
/** Codes whose transfers of one claim (from available credit, into debt) are one overpayment taken back after an audit. */
const AUDIT_RECOVERY = new Set(['audit_recovery', 'audit_recovery_debt']);
/** The codes of the two phases of a claim's spend (a reservation the ledger timed out is voided under its own code). */
const SPEND = new Set(['spend', 'pending_expired']);

function line(t: HistoryTransfer, kind: HistoryKind, sign: HistoryLine['sign'], extra: Partial<HistoryLine> = {}): HistoryLine {
  return { key: t.id, kind, at: t.createdAt, amountFen: t.amountFen, sign, state: null, count: 1, claimId: null, tradeNo: null, ...extra };
}

/**
 * The lines, newest first, from transfers newest first (as the API pages them). An earning shows
 * whether it was collected or lapsed when that transfer is among those given (it is newer, so it
 * is: pages load newest first); a lapse is then folded into its earning rather than shown again.
 */
export function historyLines(transfers: readonly HistoryTransfer[]): HistoryLine[] {
  const lines = new Map<string, HistoryLine>();
  const add = (groupKey: string, make: () => HistoryLine, merge: (l: HistoryLine) => void) => {
    const found = lines.get(groupKey);
    if (found) merge(found);
    else lines.set(groupKey, make());
  };
  // what became of each trade's earnings: collected (or used to repay debt) or lapsed
  const fate = new Map<string, HistoryState>();
  for (const t of transfers) {
    if (t.reference === null) continue;
    if (t.code === 'collect' || t.code === 'debt_repay' || t.code === 'over_cap') fate.set(t.reference, 'collected');
    else if (t.code === 'lapse' && !fate.has(t.reference)) fate.set(t.reference, 'lapsed');
  }
  const earned = new Set(transfers.filter((t) => EARNING[t.code] && t.reference !== null).map((t) => t.reference!));

  for (const t of transfers) {
    const earning = EARNING[t.code];
    const batch = PER_BATCH[t.code];
    if (earning) {
      const state = (t.reference !== null ? fate.get(t.reference) : undefined) ?? 'waiting';
      // a lapsed earning added nothing in the end: shown, but not as credit
      add(`earn:${t.code}:${t.reference ?? t.id}`, () => line(t, earning, state === 'lapsed' ? 0 : 1, { state, tradeNo: t.reference }), (l) => {
        l.amountFen += t.amountFen;
      });
    } else if (t.code === 'lapse' && t.reference !== null && earned.has(t.reference)) {
      // its earning says it lapsed: the same two yuan are not shown a second time
      continue;
    } else if (batch) {
      add(`batch:${t.code}:${t.createdAt}`, () => line(t, batch.kind, batch.sign), (l) => {
        l.amountFen += t.amountFen;
        l.count += 1;
      });
    } else if (SPEND.has(t.code)) {
      add(`spend:${t.pendingId ?? t.id}`, () => spendLine(t), (l) => mergeSpend(l, t));
    } else if (CLAWBACK.has(t.code)) {
      add(`clawback:${t.reference ?? t.id}:${t.createdAt}`, () => line(t, 'taken_back', -1, { tradeNo: t.reference }), (l) => {
        l.amountFen += t.amountFen;
      });
    } else if (AUDIT_RECOVERY.has(t.code)) {
      add(`audit:${t.reference ?? t.id}`, () => line(t, 'audit_recovered', -1, { claimId: t.reference }), (l) => {
        l.amountFen += t.amountFen;
      });
    } else {
      lines.set(t.id, line(t, t.code === 'redeem' ? 'redeemed' : 'other', t.code === 'redeem' ? -1 : 1));
    }
  }
  return [...lines.values()].sort((a, b) => (a.at === b.at ? 0 : a.at < b.at ? 1 : -1));
}

/** A claim's spend as its transfer first seen says: reserved (in progress), posted (paid) or voided (released). */
function spendLine(t: HistoryTransfer): HistoryLine {
  const state: HistoryState = t.phase === 'pending' ? 'in_progress' : t.phase === 'void' ? 'released' : 'paid';
  return line(t, 'spent', state === 'released' ? 0 : -1, { state, claimId: t.reference });
}

/** Folds the other phase in: the reservation gives the event its start; its post or void, its outcome and the amount paid. */
function mergeSpend(l: HistoryLine, t: HistoryTransfer): void {
  if (t.phase === 'pending') {
    l.key = t.id;
    l.at = t.createdAt;
    l.claimId ??= t.reference;
    // a void carries no amount of its own: the reservation's is what was given back
    if (l.state === 'released') l.amountFen = t.amountFen;
    return;
  }
  l.state = t.phase === 'void' ? 'released' : 'paid';
  l.sign = t.phase === 'void' ? 0 : -1;
  if (t.phase === 'post') l.amountFen = t.amountFen;
}
