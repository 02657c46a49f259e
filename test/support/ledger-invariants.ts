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

  // the open pending transfers are read first: on Citus they are a coordinator table, which a
  // distributed query cannot read in a correlated subquery
  const open = (await pool.query<{ transfer_id: string }>('SELECT transfer_id FROM ledger_open_pending')).rows.map((r) => r.transfer_id);
  const drift = await pool.query(`
    WITH effects AS (
      SELECT debit_account_id AS account_id,
             CASE WHEN phase IN ('single', 'post') THEN amount_fen ELSE 0 END AS debit_posted,
             CASE WHEN phase = 'pending' AND transfer_id = ANY($1::uuid[]) THEN amount_fen ELSE 0 END AS debit_pending,
             0 AS credit_posted, 0 AS credit_pending
        FROM ledger_transfers t
      UNION ALL
      SELECT credit_account_id,
             0, 0,
             CASE WHEN phase IN ('single', 'post') THEN amount_fen ELSE 0 END,
             CASE WHEN phase = 'pending' AND transfer_id = ANY($1::uuid[]) THEN amount_fen ELSE 0 END
        FROM ledger_transfers t
    ), sums AS (
      SELECT account_id, sum(debit_posted) dpo, sum(debit_pending) dp, sum(credit_posted) cpo, sum(credit_pending) cp FROM effects GROUP BY account_id
    )
    SELECT a.account_id, a.debits_posted, s.dpo, a.debits_pending, s.dp, a.credits_posted, s.cpo, a.credits_pending, s.cp
      FROM ledger_accounts a LEFT JOIN sums s USING (account_id)
     WHERE a.debits_posted <> coalesce(s.dpo, 0) OR a.debits_pending <> coalesce(s.dp, 0)
        OR a.credits_posted <> coalesce(s.cpo, 0) OR a.credits_pending <> coalesce(s.cp, 0)`, [open]);
  assert.deepEqual(drift.rows, [], 'account balances equal the sum of their transfers');

  const resolvedButOpen = await pool.query('SELECT pending_id AS transfer_id FROM ledger_transfers WHERE pending_id = ANY($1::uuid[])', [open]);
  assert.deepEqual(resolvedButOpen.rows, [], 'a resolved pending transfer is no longer open');

  const resolvedTwice = await pool.query('SELECT pending_id FROM ledger_transfers WHERE pending_id IS NOT NULL GROUP BY pending_id HAVING count(*) > 1');
  assert.deepEqual(resolvedTwice.rows, [], 'a pending transfer is resolved at most once');

  // compared here rather than joined: the two tables are placed by different keys on Citus
  const where = (r: { transfer_id: string; merchant_id: string; seq: string; history_day: string }) => `${r.transfer_id} ${r.merchant_id} ${r.seq} ${r.history_day}`;
  const transfers = (await pool.query('SELECT transfer_id, merchant_id::text, seq::text, history_day::text FROM ledger_transfers')).rows.map(where).sort();
  const transferKeys = (await pool.query('SELECT transfer_id, merchant_id::text, seq::text, history_day::text FROM ledger_transfer_ids')).rows.map(where).sort();
  assert.deepEqual(transferKeys, transfers, 'every transfer has exactly one global key, naming where it lives');

  const overLimit = await pool.query(`
    SELECT account_id FROM ledger_accounts
     WHERE (debits_must_not_exceed_credits AND debits_pending + debits_posted > credits_posted)
        OR (credits_must_not_exceed_debits AND credits_pending + credits_posted > debits_posted)`);
  assert.deepEqual(overLimit.rows, [], 'no account beyond its limit');
}
