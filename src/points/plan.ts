/** Pure planning for credit lots: collecting, giving back after refunds. Amounts in fen. */

export type LotState = 'pending' | 'available' | 'lapsed' | 'expired' | 'clawed_back' | 'spent';

export interface Lot {
  lotId: string;
  merchantId: number;
  tradeNo: string;
  kind: 'payer' | 'welcome';
  amountFen: number;
  state: LotState;
  earnedAt: Date;
  collectBy: Date;
  collectedAt: Date | null;
  expiresAt: Date | null;
  /** pending: still to collect; available: still to spend. */
  remainingFen: number;
  /** Left the lot unspent: over the cap at collection, lapsed or expired. */
  lostFen: number;
}

export interface CollectStep {
  lot: Lot;
  /** Repays debt first. */
  repayFen: number;
  /** Becomes available. */
  grantFen: number;
  /** Over the available-balance cap: not granted. */
  forfeitFen: number;
}

/** Oldest first: each lot repays debt, then fills the available balance up to the cap. */
export function planCollect(lots: readonly Lot[], debtFen: number, postedAvailableFen: number, capFen: number): CollectStep[] {
  let debt = debtFen;
  let available = postedAvailableFen;
  return [...lots]
    .sort((a, b) => a.earnedAt.getTime() - b.earnedAt.getTime() || a.lotId.localeCompare(b.lotId))
    .map((lot) => {
      const repayFen = Math.min(debt, lot.remainingFen);
      debt -= repayFen;
      const grantFen = Math.max(0, Math.min(lot.remainingFen - repayFen, capFen - available));
      available += grantFen;
      return { lot, repayFen, grantFen, forfeitFen: lot.remainingFen - repayFen - grantFen };
    });
}

export interface ClawbackPlan {
  /** Taken from the trade's uncollected lots. */
  fromPending: { lot: Lot; amountFen: number }[];
  /** Taken from the available balance, drawing lots down (the trade's own first, then oldest). */
  fromAvailableFen: number;
  availableDraws: { lot: Lot; amountFen: number }[];
  /** What the merchant already spent: carried as debt. */
  toDebtFen: number;
  /** Credit the trade's lots already lost (over the cap, lapsed, expired): nothing left to give back. */
  forgivenFen: number;
}

export function planClawback(owedFen: number, tradeLots: readonly Lot[], availableLots: readonly Lot[], spendableFen: number): ClawbackPlan {
  let owed = owedFen;
  const fromPending: ClawbackPlan['fromPending'] = [];
  for (const lot of tradeLots) {
    if (lot.state !== 'pending' || owed === 0) continue;
    const take = Math.min(owed, lot.remainingFen);
    if (take > 0) fromPending.push({ lot, amountFen: take });
    owed -= take;
  }
  const gone = tradeLots.reduce((sum, l) => sum + l.lostFen, 0);
  const forgivenFen = Math.min(owed, gone);
  owed -= forgivenFen;

  const fromAvailableFen = Math.min(owed, spendableFen);
  owed -= fromAvailableFen;
  const availableDraws: ClawbackPlan['availableDraws'] = [];
  let draw = fromAvailableFen;
  const own = new Set(tradeLots.map((l) => l.lotId));
  const order = [...availableLots].sort((a, b) => Number(own.has(b.lotId)) - Number(own.has(a.lotId)) || (a.collectedAt?.getTime() ?? 0) - (b.collectedAt?.getTime() ?? 0));
  for (const lot of order) {
    if (draw === 0) break;
    const take = Math.min(draw, lot.remainingFen);
    if (take > 0) availableDraws.push({ lot, amountFen: take });
    draw -= take;
  }
  return { fromPending, fromAvailableFen, availableDraws, toDebtFen: owed, forgivenFen };
}

/** A spend draws available lots oldest first: the soonest to expire, then the earliest collected. */
export function planSpendDraws(availableLots: readonly Lot[], amountFen: number): { lot: Lot; amountFen: number }[] {
  const order = [...availableLots].sort(
    (a, b) => (a.expiresAt?.getTime() ?? 0) - (b.expiresAt?.getTime() ?? 0) || (a.collectedAt?.getTime() ?? 0) - (b.collectedAt?.getTime() ?? 0) || a.lotId.localeCompare(b.lotId),
  );
  const draws: { lot: Lot; amountFen: number }[] = [];
  let left = amountFen;
  for (const lot of order) {
    if (left === 0) break;
    const take = Math.min(left, lot.remainingFen);
    if (take > 0) draws.push({ lot, amountFen: take });
    left -= take;
  }
  if (left > 0) throw new Error(`lots hold ${amountFen - left} fen, a spend of ${amountFen} fen needs more: lots and ledger disagree`);
  return draws;
}
