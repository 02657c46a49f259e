/**
 * Credit lots and the ledger, kept in step: every change of a lot is posted in the same transaction
 * as its transfers. All functions run inside the caller's ledger transaction with the merchant's
 * `merchant_accrual` row locked (lockMerchants), which serialises everything that moves a
 * merchant's credit.
 */
import type pg from 'pg';
import { intArray, textArray } from '../db/arrays.ts';
import { merchantAccounts, programmeAccountIds, transferIdFor, applyTransfers, MAX_BATCH_TRANSFERS, type TransferInput } from '../ledger/index.ts';
import { addMonths, businessDay, businessDayStart } from '../payments/business-day.ts';
import { planClawback, planCollect, type Lot } from './plan.ts';

interface LotRow {
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
}

function lotFromRow(r: LotRow): Lot {
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
  };
}

/** A lot's id is the id of the transfer that earned it. */
export function lotIdFor(tradeNo: string, kind: Lot['kind']): string {
  return transferIdFor('earn', tradeNo, kind);
}

export async function lockMerchants(client: pg.PoolClient, merchantIds: readonly number[]): Promise<Map<number, { welcomedTradeNo: string | null }>> {
  const { rows } = await client.query<{ merchant_id: number; welcomed_trade_no: string | null }>(
    'SELECT merchant_id, welcomed_trade_no FROM merchant_accrual WHERE merchant_id = ANY($1::bigint[]) ORDER BY merchant_id FOR UPDATE',
    [intArray([...new Set(merchantIds)])],
  );
  return new Map(rows.map((r) => [r.merchant_id, { welcomedTradeNo: r.welcomed_trade_no }]));
}

export interface LotUpdate {
  lotId: string;
  state: Lot['state'];
  remainingFen: number;
  collectedAt?: Date | null;
  expiresAt?: Date | null;
}

export async function updateLots(client: pg.PoolClient, updates: readonly LotUpdate[]): Promise<void> {
  if (updates.length === 0) return;
  await client.query(
    `UPDATE credit_lots l SET state = u.state, remaining_fen = u.remaining,
            collected_at = coalesce(u.collected_at, l.collected_at), expires_at = coalesce(u.expires_at, l.expires_at)
       FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::timestamptz[], $5::timestamptz[]) AS u(id, state, remaining, collected_at, expires_at)
      WHERE l.lot_id = u.id`,
    [
      textArray(updates.map((u) => u.lotId)),
      textArray(updates.map((u) => u.state)),
      intArray(updates.map((u) => u.remainingFen)),
      updates.map((u) => u.collectedAt?.toISOString() ?? null),
      updates.map((u) => u.expiresAt?.toISOString() ?? null),
    ],
  );
}

/** Fails loudly: a refused transfer here means lots and ledger disagree, which must never commit. */
async function post(client: pg.PoolClient, pool: pg.Pool, transfers: TransferInput[]): Promise<void> {
  for (let i = 0; i < transfers.length; i += MAX_BATCH_TRANSFERS) {
    const results = await applyTransfers(client, pool, transfers.slice(i, i + MAX_BATCH_TRANSFERS), { lock: true });
    const failed = results.find((r) => r.status === 'failed');
    if (failed) throw new Error(`credit transfer ${failed.id} refused: ${failed.status === 'failed' ? failed.error : ''}`);
  }
}

export interface CollectSummary {
  collectedFen: number;
  debtRepaidFen: number;
  forfeitedOverCapFen: number;
  lots: number;
}

/** Collects every pending lot still inside its window: debt first, then up to the available cap. */
export async function collectCredits(client: pg.PoolClient, pool: pg.Pool, merchantId: number, rules: { availableCapFen: number; validityMonths: number }, now: Date): Promise<CollectSummary> {
  const { rows } = await client.query<LotRow>(
    "SELECT * FROM credit_lots WHERE merchant_id = $1 AND state = 'pending' AND collect_by > $2 ORDER BY earned_at, lot_id",
    [merchantId, now],
  );
  const summary: CollectSummary = { collectedFen: 0, debtRepaidFen: 0, forfeitedOverCapFen: 0, lots: rows.length };
  if (rows.length === 0) return summary;
  const accounts = (await merchantAccounts(client, merchantId))!;
  const programme = await programmeAccountIds(client);
  const available = accounts.merchant_available;
  const debt = accounts.merchant_debt;
  const steps = planCollect(rows.map(lotFromRow), debt.debitsPosted - debt.creditsPosted, available.creditsPosted - available.debitsPosted, rules.availableCapFen);
  const expiresAt = businessDayStart(addMonths(businessDay(now), rules.validityMonths));
  const transfers: TransferInput[] = [];
  const updates: LotUpdate[] = [];
  for (const { lot, repayFen, grantFen, forfeitFen } of steps) {
    const pending = accounts.merchant_pending.id;
    if (repayFen) transfers.push({ id: transferIdFor('debt_repay', lot.lotId), debitAccountId: pending, creditAccountId: debt.id, amountFen: repayFen, code: 'debt_repay', reference: lot.tradeNo });
    if (grantFen) transfers.push({ id: transferIdFor('collect', lot.lotId), debitAccountId: pending, creditAccountId: available.id, amountFen: grantFen, code: 'collect', reference: lot.tradeNo });
    if (forfeitFen) transfers.push({ id: transferIdFor('over_cap', lot.lotId), debitAccountId: pending, creditAccountId: programme.lapsed, amountFen: forfeitFen, code: 'over_cap', reference: lot.tradeNo });
    updates.push(grantFen > 0 ? { lotId: lot.lotId, state: 'available', remainingFen: grantFen, collectedAt: now, expiresAt } : { lotId: lot.lotId, state: 'spent', remainingFen: 0, collectedAt: now, expiresAt });
    summary.collectedFen += grantFen;
    summary.debtRepaidFen += repayFen;
    summary.forfeitedOverCapFen += forfeitFen;
  }
  await post(client, pool, transfers);
  await updateLots(client, updates);
  return summary;
}

/** Gives back `owedFen` of a refunded trade's credit: uncollected first, then available, then debt. */
export async function clawBack(client: pg.PoolClient, pool: pg.Pool, merchantId: number, tradeNo: string, owedFen: number, clawedBackTotalFen: number): Promise<void> {
  // a trade's lots have ids derived from it (see lotIdFor); the available ones come from their index
  const { rows } = await client.query<LotRow>(
    `SELECT * FROM credit_lots WHERE lot_id = ANY($1::uuid[])
     UNION SELECT * FROM credit_lots WHERE merchant_id = $2 AND state = 'available'`,
    [textArray([lotIdFor(tradeNo, 'payer'), lotIdFor(tradeNo, 'welcome')]), merchantId],
  );
  const lots = rows.map(lotFromRow);
  const accounts = (await merchantAccounts(client, merchantId))!;
  const programme = await programmeAccountIds(client);
  const available = accounts.merchant_available;
  const plan = planClawback(
    owedFen,
    lots.filter((l) => l.tradeNo === tradeNo),
    lots.filter((l) => l.state === 'available'),
    available.creditsPosted - available.debitsPosted - available.debitsPending,
  );
  const key = (part: string) => transferIdFor('claw_back', tradeNo, clawedBackTotalFen, part);
  const transfers: TransferInput[] = [];
  const pendingFen = plan.fromPending.reduce((s, p) => s + p.amountFen, 0);
  if (pendingFen) transfers.push({ id: key('pending'), debitAccountId: accounts.merchant_pending.id, creditAccountId: programme.programme_funding, amountFen: pendingFen, code: 'clawback', reference: tradeNo });
  if (plan.fromAvailableFen) transfers.push({ id: key('available'), debitAccountId: available.id, creditAccountId: programme.programme_funding, amountFen: plan.fromAvailableFen, code: 'clawback', reference: tradeNo });
  if (plan.toDebtFen) transfers.push({ id: key('debt'), debitAccountId: accounts.merchant_debt.id, creditAccountId: programme.programme_funding, amountFen: plan.toDebtFen, code: 'clawback_debt', reference: tradeNo });
  await post(client, pool, transfers);
  const updates: LotUpdate[] = [
    ...plan.fromPending.map(({ lot, amountFen }) => ({ lotId: lot.lotId, state: lot.remainingFen === amountFen ? ('clawed_back' as const) : ('pending' as const), remainingFen: lot.remainingFen - amountFen })),
    ...plan.availableDraws.map(({ lot, amountFen }) => ({ lotId: lot.lotId, state: lot.remainingFen === amountFen ? ('clawed_back' as const) : ('available' as const), remainingFen: lot.remainingFen - amountFen })),
  ];
  await updateLots(client, updates);
}
