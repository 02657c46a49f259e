import assert from 'node:assert/strict';
import type pg from 'pg';

/**
 * Checks the ledger's invariants from the database alone: double entry balances, every account's
 * running balances equal the sum of its transfers, a pending transfer is resolved once, every transfer
 * id is one global key naming its day's row, and no account is beyond its limit.
 */
export async function assertLedgerInvariants(pool: pg.Pool): Promise<void> {
  const totals = await pool.query<{ dp: string; dpo: string; cp: string; cpo: string }>(
    'SELECT sum(debits_pending)::text dp, sum(debits_posted)::text dpo, sum(credits_pending)::text cp, sum(credits_posted)::text cpo FROM ledger_accounts',
  );
  const t = totals.rows[0]!;
  assert.equal(t.dpo, t.cpo, 'Σ posted debits = Σ posted credits');
  assert.equal(t.dp, t.cp, 'Σ pending debits = Σ pending credits');

  const drift = await pool.query(`
    WITH effects AS (
      SELECT debit_account_id AS account_id,
             CASE WHEN phase IN ('single', 'post') THEN amount_fen ELSE 0 END AS debit_posted,
             CASE WHEN phase = 'pending' AND EXISTS (SELECT 1 FROM ledger_open_pending o WHERE o.transfer_id = t.transfer_id) THEN amount_fen ELSE 0 END AS debit_pending,
             0 AS credit_posted, 0 AS credit_pending
        FROM ledger_transfers t
      UNION ALL
      SELECT credit_account_id,
             0, 0,
             CASE WHEN phase IN ('single', 'post') THEN amount_fen ELSE 0 END,
             CASE WHEN phase = 'pending' AND EXISTS (SELECT 1 FROM ledger_open_pending o WHERE o.transfer_id = t.transfer_id) THEN amount_fen ELSE 0 END
        FROM ledger_transfers t
    ), sums AS (
      SELECT account_id, sum(debit_posted) dpo, sum(debit_pending) dp, sum(credit_posted) cpo, sum(credit_pending) cp FROM effects GROUP BY account_id
    )
    SELECT a.account_id, a.debits_posted, s.dpo, a.debits_pending, s.dp, a.credits_posted, s.cpo, a.credits_pending, s.cp
      FROM ledger_accounts a LEFT JOIN sums s USING (account_id)
     WHERE a.debits_posted <> coalesce(s.dpo, 0) OR a.debits_pending <> coalesce(s.dp, 0)
        OR a.credits_posted <> coalesce(s.cpo, 0) OR a.credits_pending <> coalesce(s.cp, 0)`);
  assert.deepEqual(drift.rows, [], 'account balances equal the sum of their transfers');

  const resolvedButOpen = await pool.query(
    'SELECT o.transfer_id FROM ledger_open_pending o JOIN ledger_transfers r ON r.pending_id = o.transfer_id',
  );
  assert.deepEqual(resolvedButOpen.rows, [], 'a resolved pending transfer is no longer open');

  const resolvedTwice = await pool.query('SELECT pending_id FROM ledger_transfers WHERE pending_id IS NOT NULL GROUP BY pending_id HAVING count(*) > 1');
  assert.deepEqual(resolvedTwice.rows, [], 'a pending transfer is resolved at most once');

  const keys = await pool.query(`
    SELECT t.transfer_id, i.transfer_id AS key FROM ledger_transfers t
      FULL JOIN ledger_transfer_ids i ON i.merchant_id = t.merchant_id AND i.seq = t.seq AND i.history_day = t.history_day AND i.transfer_id = t.transfer_id
     WHERE t.transfer_id IS NULL OR i.transfer_id IS NULL
     UNION ALL
    SELECT transfer_id, NULL FROM ledger_transfer_ids GROUP BY transfer_id HAVING count(*) > 1`);
  assert.deepEqual(keys.rows, [], "every transfer has exactly one global key, naming where it lives");

  const overLimit = await pool.query(`
    SELECT account_id FROM ledger_accounts
     WHERE (debits_must_not_exceed_credits AND debits_pending + debits_posted > credits_posted)
        OR (credits_must_not_exceed_debits AND credits_pending + credits_posted > debits_posted)`);
  assert.deepEqual(overLimit.rows, [], 'no account beyond its limit');
}
