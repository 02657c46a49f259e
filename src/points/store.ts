/**
 * Credit lots and the ledger, kept in step: every change of a lot is posted in the same transaction
 * as its transfers. The functions that post run inside a credit change (credit.ts) that has locked
 * the merchants, which serialises everything that moves a merchant's credit.
 */
import type pg from 'pg';
import { intArray, textArray } from '../db/arrays.ts';
import { merchantAccountsOf, programmeAccountsOf, spendableFen, orderedTransferIdFor, transferIdFor, type Account, type MerchantAccountKind, type TransferInput } from '../ledger/index.ts';
import { postCredit, type CreditChange } from './credit.ts';
import { addMonths, businessDay, businessDayStart } from '../shared/business-day.ts';
import { planClawback, planCollect, type Lot } from './plan.ts';

export interface LotRow {
  lot_id: string;
  merchant_id: number;
  trade_no: string;
  kind: Lot['kind'];
  amount_fen: number;
  state: Lot['state'];
  earned_at: Date;
  collect_by: Date;
  collected_at: Date | null;
  expires_at: Date | null;
  remaining_fen: number;
  lost_fen: number;
}

export function lotFromRow(r: LotRow): Lot {
  return {
    lotId: r.lot_id,
    merchantId: r.merchant_id,
    tradeNo: r.trade_no,
    kind: r.kind,
    amountFen: r.amount_fen,
    state: r.state,
    earnedAt: r.earned_at,
    collectBy: r.collect_by,
    collectedAt: r.collected_at,
    expiresAt: r.expires_at,
    remainingFen: r.remaining_fen,
    lostFen: r.lost_fen,
  };
}

/** Lot rows grouped by merchant, in their order. */
function byMerchant<T>(rows: readonly LotRow[], pick: (r: LotRow) => T): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const r of rows) {
    const group = out.get(r.merchant_id);
    if (group) group.push(pick(r));
    else out.set(r.merchant_id, [pick(r)]);
  }
  return out;
}

/** A lot's id is the id of the transfer that earned it, led by the time its trade was paid. */
export function lotIdFor(trade: { tradeNo: string; paidAt: Date }, kind: Lot['kind']): string {
  return orderedTransferIdFor(trade.paidAt, 'earn', trade.tradeNo, kind);
}

/** The ids a trade's lots may have: lots earned before ids were ordered keep their version 5 ids. */
function tradeLotIds(trade: { tradeNo: string; paidAt: Date }): string[] {
  return (['payer', 'welcome'] as const).flatMap((kind) => [lotIdFor(trade, kind), transferIdFor('earn', trade.tradeNo, kind)]);
}

/**
 * Opens new merchants' accrual rows (their lock and their welcome), in the enrolment's transaction.
 * A row already there is kept: a schema before migration 0031 opens it by trigger.
 */
export async function openMerchantAccrual(client: pg.PoolClient, merchantIds: readonly number[]): Promise<void> {
  await client.query('INSERT INTO merchant_accrual (merchant_id) SELECT unnest($1::bigint[]) ON CONFLICT (merchant_id) DO NOTHING', [intArray(merchantIds)]);
}

/** A lot a payment earned: pending until collected within its window, from `visibleAt` on. */
export interface EarnedLot {
  lotId: string;
  merchantId: number;
  tradeNo: string;
  kind: Lot['kind'];
  amountFen: number;
  earnedAt: Date;
  visibleAt: Date;
  collectWindowHours: number;
}

/** Writes a batch's earned lots in one statement (payments decide what is earned; points keep the lots). */
export async function insertEarnedLots(client: pg.PoolClient, lots: readonly EarnedLot[]): Promise<void> {
  if (lots.length === 0) return;
  await client.query(
    `INSERT INTO credit_lots (lot_id, merchant_id, trade_no, kind, amount_fen, state, earned_at, collect_by, remaining_fen)
     SELECT id, merchant, trade, kind, amount, 'pending', earned, visible + make_interval(hours => hours), amount
       FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::timestamptz[], $7::int[], $8::timestamptz[])
            AS v(id, merchant, trade, kind, amount, earned, hours, visible)`,
    [
      textArray(lots.map((l) => l.lotId)),
      intArray(lots.map((l) => l.merchantId)),
      textArray(lots.map((l) => l.tradeNo)),
      textArray(lots.map((l) => l.kind)),
      intArray(lots.map((l) => l.amountFen)),
      lots.map((l) => l.earnedAt.toISOString()),
      // a ruleset without a window collects at once; the lot still gets an hour's window to be found
      intArray(lots.map((l) => Math.max(1, l.collectWindowHours))),
      lots.map((l) => l.visibleAt.toISOString()),
    ],
  );
}

export interface LotUpdate {
  /** With the lot id, the lot's key (merchant_id first: the shard key). */
  merchantId: number;
  lotId: string;
  state: Lot['state'];
  remainingFen: number;
  collectedAt?: Date | null;
  expiresAt?: Date | null;
  /** Added to what the lot lost unspent (over the cap, lapsed, expired). */
  lostFen?: number;
}

export async function updateLots(client: pg.PoolClient, updates: readonly LotUpdate[]): Promise<void> {
  if (updates.length === 0) return;
  await client.query(
    `UPDATE credit_lots l SET state = u.state, remaining_fen = u.remaining, lost_fen = l.lost_fen + u.lost,
            collected_at = coalesce(u.collected_at, l.collected_at), expires_at = coalesce(u.expires_at, l.expires_at)
       FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::timestamptz[], $5::timestamptz[], $6::bigint[], $7::bigint[]) AS u(id, state, remaining, collected_at, expires_at, lost, merchant)
      WHERE l.merchant_id = u.merchant AND l.lot_id = u.id`,
    [
      textArray(updates.map((u) => u.lotId)),
      textArray(updates.map((u) => u.state)),
      intArray(updates.map((u) => u.remainingFen)),
      updates.map((u) => u.collectedAt?.toISOString() ?? null),
      updates.map((u) => u.expiresAt?.toISOString() ?? null),
      intArray(updates.map((u) => u.lostFen ?? 0)),
      intArray(updates.map((u) => u.merchantId)),
    ],
  );
}

export interface CollectSummary {
  collectedFen: number;
  debtRepaidFen: number;
  forfeitedOverCapFen: number;
  lots: number;
}

/**
 * Collects every pending lot still inside its window (or only `lotIds`, for credit a ruleset grants
 * at once): debt first, then up to the available cap.
 */
export async function collectCredits(
  change: CreditChange,
  merchantId: number,
  rules: CollectRules,
  now: Date,
  lotIds?: readonly string[],
): Promise<CollectSummary> {
  return (await collectCreditsOf(change, [merchantId], rules, now, lotIds)).get(merchantId)!;
}

type CollectRules = { availableCapFen: number; validityMonths: number };

/**
 * collectCredits for many merchants in one set of statements (one read of their lots and accounts,
 * their transfers in batches, one update of the lots), as a day-end of a city needs, inside a credit
 * change that has locked every one of the merchants.
 */
export async function collectCreditsOf(
  change: CreditChange,
  merchantIds: readonly number[],
  rules: CollectRules,
  now: Date,
  lotIds?: readonly string[],
): Promise<Map<number, CollectSummary>> {
  const { client } = change;
  const summaries = new Map(merchantIds.map((id) => [id, { collectedFen: 0, debtRepaidFen: 0, forfeitedOverCapFen: 0, lots: 0 }]));
  const { rows } = await client.query<LotRow>(
    `SELECT * FROM credit_lots WHERE merchant_id = ANY($1::bigint[]) AND state = 'pending' AND collect_by > $2 AND ($3::uuid[] IS NULL OR lot_id = ANY($3::uuid[]))
      ORDER BY merchant_id, earned_at, lot_id`,
    [intArray([...summaries.keys()]), now, lotIds ? textArray(lotIds) : null],
  );
  if (rows.length === 0) return summaries;
  const lotsByMerchant = byMerchant(rows, lotFromRow);
  const accountsByMerchant = await merchantAccountsOf(client, [...lotsByMerchant.keys()]);
  const expiresAt = businessDayStart(addMonths(businessDay(now), rules.validityMonths));
  const transfers: TransferInput[] = [];
  const updates: LotUpdate[] = [];
  for (const [merchantId, lots] of lotsByMerchant) {
    const { merchant_pending: pending, merchant_available: available, merchant_debt: debt } = accountsByMerchant.get(merchantId)!;
    const summary = summaries.get(merchantId)!;
    summary.lots = lots.length;
    for (const { lot, repayFen, grantFen, forfeitFen } of planCollect(lots, debt.debitsPosted - debt.creditsPosted, available.creditsPosted - available.debitsPosted, rules.availableCapFen)) {
      const fromPending = (code: 'debt_repay' | 'collect' | 'over_cap', creditAccountId: number, amountFen: number): TransferInput => ({
        id: orderedTransferIdFor(lot.earnedAt, code, lot.lotId),
        debitAccountId: pending.id,
        creditAccountId,
        amountFen,
        code,
        reference: lot.tradeNo,
      });
      if (repayFen) transfers.push(fromPending('debt_repay', debt.id, repayFen));
      if (grantFen) transfers.push(fromPending('collect', available.id, grantFen));
      if (forfeitFen) transfers.push(fromPending('over_cap', programmeAccountsOf(merchantId).lapsed, forfeitFen));
      updates.push({ merchantId, lotId: lot.lotId, state: grantFen > 0 ? 'available' : 'spent', remainingFen: grantFen, collectedAt: now, expiresAt, lostFen: forfeitFen });
      summary.collectedFen += grantFen;
      summary.debtRepaidFen += repayFen;
      summary.forfeitedOverCapFen += forfeitFen;
    }
  }
  await postCredit(change, transfers);
  await updateLots(client, updates);
  return summaries;
}

/** Gives back `owedFen` of a refunded trade's credit: uncollected first, then available, then debt. */
export interface ClawbackDue {
  merchantId: number;
  tradeNo: string;
  /** When the trade was paid: it leads the ids of its lots and of its claw-backs. */
  paidAt: Date;
  owedFen: number;
  /** The trade's claw-back total after this one: part of the transfers' ids, so a replay posts nothing new. */
  clawedBackTotalFen: number;
}

export interface ClawbackWrites {
  /** To post after anything the batch credits the same lots with (its earn transfers). */
  transfers: TransferInput[];
  /** To write once the transfers are posted. */
  lotUpdates: LotUpdate[];
}

/**
 * Plans what refunds take back from a batch's trades, in order: one read of the merchants' lots (the
 * batch's own new lots included: insert them first) and accounts, each claw-back planned in memory
 * against what the earlier ones left. The caller posts the transfers with the rest of its batch, at
 * the end, so that the programme's hot account is held for as short a time as possible.
 */
/**
 * The transfers that take a claw-back plan's amounts back to the programme's funding (the merchant's
 * bucket): from pending credit, from available credit, and what neither covers as debt.
 */
export function clawbackTransfers(
  merchantId: number,
  accounts: Record<MerchantAccountKind, Account>,
  plan: Pick<ReturnType<typeof planClawback>, 'fromPending' | 'fromAvailableFen' | 'toDebtFen'>,
  label: { id: (part: 'pending' | 'available' | 'debt') => string; code: string; debtCode: string; reference: string },
): TransferInput[] {
  const to = programmeAccountsOf(merchantId).programme_funding;
  const pendingFen = plan.fromPending.reduce((sum, p) => sum + p.amountFen, 0);
  const moves: [part: 'pending' | 'available' | 'debt', from: Account, amountFen: number, code: string][] = [
    ['pending', accounts.merchant_pending, pendingFen, label.code],
    ['available', accounts.merchant_available, plan.fromAvailableFen, label.code],
    ['debt', accounts.merchant_debt, plan.toDebtFen, label.debtCode],
  ];
  return moves.filter(([, , amountFen]) => amountFen > 0).map(([part, from, amountFen, code]) => ({ id: label.id(part), debitAccountId: from.id, creditAccountId: to, amountFen, code, reference: label.reference }));
}

export async function planTradeClawbacks(client: pg.PoolClient, due: readonly ClawbackDue[]): Promise<ClawbackWrites> {
  if (due.length === 0) return { transfers: [], lotUpdates: [] };
  const merchantIds = [...new Set(due.map((d) => d.merchantId))];
  // a trade's lots have ids derived from it (see lotIdFor); the available ones come from their index
  const { rows } = await client.query<LotRow>(
    `SELECT * FROM credit_lots WHERE merchant_id = ANY($2::bigint[]) AND lot_id = ANY($1::uuid[])
     UNION SELECT * FROM credit_lots WHERE merchant_id = ANY($2::bigint[]) AND state = 'available'`,
    [textArray(due.flatMap(tradeLotIds)), intArray(merchantIds)],
  );
  const lots = new Map(rows.map((r) => [r.lot_id, lotFromRow(r)]));
  const lotIdsOf = byMerchant(rows, (r) => r.lot_id);
  const accountsOf = await merchantAccountsOf(client, merchantIds);
  const spendable = new Map(merchantIds.map((m) => {
    const available = accountsOf.get(m)!.merchant_available;
    return [m, spendableFen(available)];
  }));
  const transfers: TransferInput[] = [];
  const changed = new Set<string>();
  for (const d of due) {
    const accounts = accountsOf.get(d.merchantId)!;
    // as the earlier claw-backs of the batch left them
    const merchantLots = (lotIdsOf.get(d.merchantId) ?? []).map((id) => lots.get(id)!);
    const plan = planClawback(
      d.owedFen,
      merchantLots.filter((l) => l.tradeNo === d.tradeNo),
      merchantLots.filter((l) => l.state === 'available'),
      spendable.get(d.merchantId)!,
    );
    transfers.push(
      ...clawbackTransfers(d.merchantId, accounts, plan, {
        id: (part) => orderedTransferIdFor(d.paidAt, 'claw_back', d.tradeNo, d.clawedBackTotalFen, part),
        code: 'clawback',
        debtCode: 'clawback_debt',
        reference: d.tradeNo,
      }),
    );
    spendable.set(d.merchantId, spendable.get(d.merchantId)! - plan.fromAvailableFen);
    for (const { lot, amountFen } of [...plan.fromPending, ...plan.availableDraws]) {
      const remainingFen = lot.remainingFen - amountFen;
      lots.set(lot.lotId, { ...lot, remainingFen, state: remainingFen === 0 ? 'clawed_back' : lot.state });
      changed.add(lot.lotId);
    }
  }
  const lotUpdates = [...changed].map((id) => {
    const lot = lots.get(id)!;
    return { merchantId: lot.merchantId, lotId: id, state: lot.state, remainingFen: lot.remainingFen };
  });
  return { transfers, lotUpdates };
}
