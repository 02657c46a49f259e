/**
 * Settles a business day's cross-merchant farming signals (signal-order.ts) once its payments are
 * in: reads the credited payments of the payers that could carry one (a payer who earned credit for
 * more than one merchant that day, or a payer that is a merchant), decides them on the payments'
 * own order, and writes what changed with the merchants' counters, under the merchants' locks.
 */
import type pg from 'pg';
import { intArray, textArray } from '../db/arrays.ts';
import { DATES_AS_TEXT } from '../db/database.ts';
import { changeCredit } from '../points/index.ts';
import { loadRulesets } from '../points/rulesets.ts';
import type { PaymentSignal } from './accrual.ts';
import { addSignalCounts } from './ingest.ts';
import { settleOrderedSignals, signalCountDeltas, type CreditedPayment, type SignalChange } from './signal-order.ts';

interface CandidateRow {
  buyer_id: string;
  merchant_ids: number[];
  payer_merchant_id: number | null;
}

interface CreditedRow {
  merchant_id: number;
  trade_no: string;
  history_day: string;
  buyer_id: string;
  seller_id: string;
  paid_at: Date;
  ruleset_id: number;
  signals: PaymentSignal[];
}

async function creditedPaymentsOf(pool: pg.Pool, day: string, candidates: readonly CandidateRow[]): Promise<CreditedPayment[]> {
  const pairs = new Set(candidates.flatMap((c) => c.merchant_ids.map((m) => `${m}|${c.buyer_id}`)));
  // a trade is stored under its payment's day, or an earlier one when first seen unpaid
  const { rows } = await pool.query<CreditedRow>({
    text: `SELECT merchant_id, trade_no, history_day, buyer_id, seller_id, paid_at, ruleset_id, signals FROM payments
            WHERE merchant_id = ANY($1::bigint[]) AND buyer_id = ANY($2::text[]) AND business_day = $3::date AND history_day <= $3::date
              AND outcome IN ('credited', 'small_payment')`,
    values: [intArray([...new Set(candidates.flatMap((c) => c.merchant_ids))]), textArray(candidates.map((c) => c.buyer_id)), day],
    types: DATES_AS_TEXT,
  });
  return rows
    .filter((r) => pairs.has(`${r.merchant_id}|${r.buyer_id}`))
    .map((r) => ({ merchantId: Number(r.merchant_id), tradeNo: r.trade_no, historyDay: r.history_day, buyerId: r.buyer_id, sellerId: r.seller_id, paidAt: r.paid_at, rulesetId: Number(r.ruleset_id), signals: r.signals }));
}

async function writeChanges(pool: pg.Pool, changes: readonly SignalChange[]): Promise<number> {
  // under the merchants' lock, which serialises this with ingestion's writes of the same rows
  return changeCredit(pool, async (change) => {
    const { client } = change;
    await change.lock(changes.map((c) => c.merchantId));
    // only a row still as read: a refund applied meanwhile rewrote it from its own (locked) read
    const { rows } = await client.query<{ trade_no: string }>(
      `UPDATE payments p SET signals = string_to_array(u.after, ',')
         FROM unnest($1::bigint[], $2::text[], $3::date[], $4::text[], $5::text[]) AS u(m, t, h, before, after)
        WHERE p.merchant_id = u.m AND p.trade_no = u.t AND p.history_day = u.h AND p.signals = string_to_array(u.before, ',')
        RETURNING p.trade_no`,
      [
        intArray(changes.map((c) => c.merchantId)),
        textArray(changes.map((c) => c.tradeNo)),
        textArray(changes.map((c) => c.historyDay)),
        textArray(changes.map((c) => c.before.join(','))),
        textArray(changes.map((c) => c.after.join(','))),
      ],
    );
    const written = new Set(rows.map((r) => r.trade_no));
    await addSignalCounts(client, signalCountDeltas(changes.filter((c) => written.has(c.tradeNo))));
    return written.size;
  });
}

/** Settles the signals of the business day `day` (YYYY-MM-DD); returns how many payments changed. Idempotent. */
export async function settleDaySignals(pool: pg.Pool, day: string): Promise<number> {
  // most payers of a day paid one merchant and are no merchant: nothing of theirs can change
  const { rows: relevant } = await pool.query<CandidateRow>(
    `SELECT * FROM (
       SELECT d.buyer_id, d.merchant_ids, (SELECT w.merchant_id FROM merchant_wallets w WHERE w.wallet_user_id = d.buyer_id) AS payer_merchant_id
         FROM payer_days d WHERE d.business_day = $1::date) c
      WHERE cardinality(c.merchant_ids) > 1 OR c.payer_merchant_id IS NOT NULL`,
    [day],
  );
  if (relevant.length === 0) return 0;
  const versions = await loadRulesets(pool);
  const fanOut = new Map(versions.map((v) => [v.id, v.rules.signals.fanOutMerchantsPerDay]));
  const merchantOfWallet = new Map(relevant.flatMap((c) => (c.payer_merchant_id === null ? [] : [[c.buyer_id, Number(c.payer_merchant_id)] as const])));
  const changes = settleOrderedSignals(await creditedPaymentsOf(pool, day, relevant), (id) => fanOut.get(id)!, merchantOfWallet);
  return changes.length ? writeChanges(pool, changes) : 0;
}
