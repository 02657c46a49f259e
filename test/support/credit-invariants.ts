import assert from 'node:assert/strict';
import type pg from 'pg';

/**
 * One truth for credit: for every merchant, the available lots sum to the posted available balance
 * (reserved credit is still in both until it is posted) and the pending lots to the pending balance.
 */
export async function assertLotsMatchLedger(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query(`
    WITH lots AS (
      SELECT merchant_id,
             sum(remaining_fen) FILTER (WHERE state = 'available') AS available,
             sum(remaining_fen) FILTER (WHERE state = 'pending') AS pending
        FROM credit_lots GROUP BY merchant_id
    ), balances AS (
      SELECT merchant_id,
             sum(credits_posted - debits_posted) FILTER (WHERE kind = 'merchant_available') AS available,
             sum(credits_posted - debits_posted) FILTER (WHERE kind = 'merchant_pending') AS pending
        FROM ledger_accounts WHERE kind IN ('merchant_pending', 'merchant_available', 'merchant_debt') GROUP BY merchant_id
    )
    SELECT b.merchant_id, coalesce(l.available, 0)::text AS lots_available, b.available::text AS ledger_available,
           coalesce(l.pending, 0)::text AS lots_pending, b.pending::text AS ledger_pending
      FROM balances b LEFT JOIN lots l USING (merchant_id)
     WHERE coalesce(l.available, 0) <> b.available OR coalesce(l.pending, 0) <> b.pending`);
  assert.deepEqual(rows, [], 'credit lots equal the ledger balances for every merchant');
}
