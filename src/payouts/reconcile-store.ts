/**
 * Runs the daily reconciliation of one Shanghai business day: loads our payouts and the gateway's two
 * bills, compares them (reconcile.ts), raises one operator alert per mismatch (kept unresolved until an
 * operator resolves it; a repeat run updates it) and records the run. Idempotent: run it again at will.
 */
import type pg from 'pg';
import { inTransaction } from '../db/transaction.ts';
import { addDays, businessDayStart } from '../shared/business-day.ts';
import type { GatewayBillRecord } from './gateway.ts';
import { reconcile, type Mismatch, type PostedPayout } from './reconcile.ts';

export interface ReconciliationRun {
  businessDay: string;
  postedPayouts: number;
  gatewayRecords: number;
  mismatches: Mismatch[];
}

interface PayoutRow {
  merchant_id: number;
  payout_id: string;
  amount_fen: number;
  state: string;
}

const postedOf = (r: PayoutRow): PostedPayout => ({ merchantId: r.merchant_id, payoutId: r.payout_id, amountFen: r.amount_fen, state: r.state });

export async function reconcilePayoutDay(pool: pg.Pool, bills: (day: string) => Promise<GatewayBillRecord[]>, businessDay: string): Promise<ReconciliationRun> {
  const [billOfDay, billOfDayBefore] = await Promise.all([bills(businessDay), bills(addDays(businessDay, -1))]);
  const { rows: posted } = await pool.query<PayoutRow>(
    `SELECT merchant_id::int, payout_id, amount_fen::int, state FROM payouts
      WHERE state = 'succeeded' AND settled_at >= $1 AND settled_at < $2`,
    [businessDayStart(businessDay), businessDayStart(addDays(businessDay, 1))],
  );
  const { rows: named } = await pool.query<PayoutRow>('SELECT merchant_id::int, payout_id, amount_fen::int, state FROM payouts WHERE payout_id = ANY($1::text[])', [
    billOfDay.map((r) => r.outBizNo),
  ]);
  const mismatches = reconcile({ postedOnDay: posted.map(postedOf), namedByBill: named.map(postedOf), billOfDay, billOfDayBefore });
  await inTransaction(pool, async (client) => {
    for (const m of mismatches) {
      await client.query(
        `INSERT INTO operator_alerts (kind, subject, details) VALUES ($1, $2, $3)
         ON CONFLICT (kind, subject) DO UPDATE SET details = excluded.details, at = now()`,
        [`payout_reconciliation.${m.kind}`, m.payoutId, JSON.stringify({ ...m, businessDay })],
      );
    }
    await client.query(
      `INSERT INTO payout_reconciliations (business_day, posted_payouts, gateway_records, mismatches) VALUES ($1, $2, $3, $4)
       ON CONFLICT (business_day) DO UPDATE SET ran_at = now(), posted_payouts = excluded.posted_payouts, gateway_records = excluded.gateway_records, mismatches = excluded.mismatches`,
      [businessDay, posted.length, billOfDay.length, mismatches.length],
    );
  });
  return { businessDay, postedPayouts: posted.length, gatewayRecords: billOfDay.length, mismatches };
}
