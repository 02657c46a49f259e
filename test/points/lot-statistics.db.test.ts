/**
 * A merchant's pending credit is read through its own index entries whatever the last ANALYZE saw:
 * sampled just after a sweep, when no lot was pending, the planner once read the lapse sweep's whole
 * index instead, on every change of a merchant's credit (migration 0027).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { migrate, MIGRATIONS_DIR } from '../../src/db/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { enrolMerchants } from '../support/fixtures.ts';

let db: TestDatabase;
let merchantIds: number[];
before(async () => {
  db = await createTestDatabase();
  merchantIds = (await enrolMerchants(db.pool, 40)).map((m) => m.id);
});
after(async () => db.close());

/** `count` lots in `state`, spread over the merchants (lots written directly: only their shape matters here). */
function insertLots(client: { query: (sql: string, values: unknown[]) => Promise<unknown> }, state: 'lapsed' | 'pending', count: number, tag: string) {
  return client.query(
    `INSERT INTO credit_lots (lot_id, merchant_id, trade_no, kind, amount_fen, state, earned_at, collect_by, remaining_fen, lost_fen)
     SELECT gen_random_uuid(), ($1::bigint[])[1 + g % array_length($1::bigint[], 1)], $2 || g, 'payer', 200, $3,
            '2026-03-02T02:00:00Z'::timestamptz, '2026-03-04T16:00:00Z'::timestamptz, CASE WHEN $3 = 'pending' THEN 200 ELSE 0 END, CASE WHEN $3 = 'pending' THEN 0 ELSE 200 END
       FROM generate_series(1, $4) AS g`,
    [merchantIds, tag, state, count],
  );
}

test("a merchant's pending credit reads its own entries of credit_lots_pending after an ANALYZE that saw none pending", async () => {
  await insertLots(db.pool, 'lapsed', 4_000, 'LAPSED-');
  await db.pool.query('ANALYZE credit_lots');
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    await insertLots(client, 'pending', 4_000, 'PENDING-');
    // the check's own statement (assert_credit_lots_match_ledger), planned as its function plans it: once, for any merchant
    await client.query(`PREPARE pending_credit(bigint) AS SELECT coalesce(sum(remaining_fen), 0) FROM credit_lots WHERE merchant_id = $1 AND state = 'pending'`);
    await client.query('SET LOCAL plan_cache_mode = force_generic_plan');
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) EXECUTE pending_credit(${merchantIds[0]})`);
    const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    assert.match(plan, /Index Scan using credit_lots_pending on credit_lots[^\n]*\n\s*Index Cond: \(merchant_id = \$1\)/, plan);
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
});

test('upgrading clears what an earlier ANALYZE saw of the lots\' states, and no later ANALYZE samples them', async () => {
  const old = await createTestDatabase({ migrated: false });
  const before0027 = fs.mkdtempSync(path.join(os.tmpdir(), 'carepoints-migrations-'));
  try {
    for (const file of fs.readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql') && f < '0027')) fs.copyFileSync(path.join(MIGRATIONS_DIR, file), path.join(before0027, file));
    await migrate(old.pool, before0027);
    const [merchant] = await enrolMerchants(old.pool, 1);
    await old.pool.query(
      `INSERT INTO credit_lots (lot_id, merchant_id, trade_no, kind, amount_fen, state, earned_at, collect_by, remaining_fen, lost_fen)
       SELECT gen_random_uuid(), $1, 'OLD-' || g, 'payer', 200, 'lapsed', '2026-03-02T02:00:00Z', '2026-03-04T16:00:00Z', 0, 200 FROM generate_series(1, 500) AS g`,
      [merchant!.id],
    );
    const stateStatistics = async () => (await old.pool.query("SELECT 1 FROM pg_stats WHERE tablename = 'credit_lots' AND attname = 'state'")).rowCount;
    await old.pool.query('ANALYZE credit_lots');
    assert.equal(await stateStatistics(), 1, 'before 0027 ANALYZE samples the states');
    await migrate(old.pool);
    assert.equal(await stateStatistics(), 0, '0027 clears the sample');
    await old.pool.query('ANALYZE credit_lots');
    assert.equal(await stateStatistics(), 0, 'and ANALYZE takes none again');
  } finally {
    fs.rmSync(before0027, { recursive: true, force: true });
    await old.close();
  }
});
