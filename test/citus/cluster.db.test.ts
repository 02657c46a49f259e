/**
 * On a real Citus cluster (CAREPOINTS_CITUS_URL names its coordinator; `npm run test:citus` runs this
 * with the claims and ingestion tests): the test database is distributed as the plan says, a
 * merchant's rows share one worker, and a live notification written on a shard reaches a listener on
 * the coordinator. Without a cluster it is skipped, saying so.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { transitionClaim, insertClaim } from '../../src/claims/store.ts';
import { programmeBucketOf } from '../../src/ledger/index.ts';
import { notificationWatch, type NotificationNotice } from '../../src/notifications/index.ts';
import { CITUS_URL } from '../support/citus.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { enrolMerchants } from '../support/fixtures.ts';

const skip = CITUS_URL ? false : 'no Citus cluster: set CAREPOINTS_CITUS_URL to a coordinator database with the citus extension and its workers added';

let db: TestDatabase;
before(async () => {
  if (!skip) db = await createTestDatabase();
});
after(async () => db?.close());

test('the test database is distributed as the plan says: merchant-owned tables co-located on the workers, the registries copied to every node', { skip }, async () => {
  const { rows } = await db.pool.query<{ table_name: string; citus_table_type: string; colocation_id: number }>('SELECT table_name::text, citus_table_type, colocation_id FROM citus_tables');
  const of = (name: string) => rows.find((r) => r.table_name === name);
  for (const table of ['merchants', 'payments', 'credit_lots', 'ledger_accounts', 'ledger_transfers', 'claims', 'payouts', 'claim_verifications']) {
    assert.equal(of(table)?.citus_table_type, 'distributed', table);
    assert.equal(of(table)?.colocation_id, of('merchants')?.colocation_id, `${table} is co-located with merchants`);
  }
  for (const table of ['rulesets', 'hospitals', 'catalogue_items']) assert.equal(of(table)?.citus_table_type, 'reference', table);
  // a bill's answer and its checks today are the issuer's: distributed by the bill, apart from any merchant
  assert.equal(of('invoice_verifications')?.citus_table_type, 'distributed');
  assert.notEqual(of('invoice_verifications')?.colocation_id, of('merchants')?.colocation_id);
  const [m] = await enrolMerchants(db.pool, 1);
  const { rows: nodes } = await db.pool.query<{ nodes: number }>(
    `SELECT count(DISTINCT s.nodeport)::int AS nodes FROM citus_shards s
      WHERE s.table_name::text IN ('merchants', 'ledger_accounts', 'merchant_accrual')
        AND s.shardid IN (SELECT get_shard_id_for_distribution_column(t, $1::bigint) FROM unnest(ARRAY['merchants', 'ledger_accounts', 'merchant_accrual']::regclass[]) AS t)`,
    [m!.id],
  );
  assert.equal(nodes[0]!.nodes, 1, "a merchant's rows of every table are on one worker");
});

test('a notification written on a worker reaches a live listener on the coordinator, once its transaction commits', { skip }, async () => {
  const [m] = await enrolMerchants(db.pool, 1, 50);
  const watch = notificationWatch(db.pool);
  try {
    const heard = new Promise<NotificationNotice>((resolve) => void watch.watch(m!.id, resolve));
    const claimId = crypto.randomUUID();
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await insertClaim(client, { merchantId: m!.id, claimId, files: [], submittedAt: new Date() });
      await transitionClaim(client, { merchantId: m!.id, claimId }, 'photo_requested', { code: 'test', zh: '请重新拍摄。', en: 'Please take the photo again.' }); // a move the merchant is told of
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const notice = await heard;
    assert.equal(notice.merchantId, m!.id);
    const { rows } = await db.pool.query<{ id: number }>('SELECT notification_id AS id FROM merchant_notifications WHERE merchant_id = $1', [m!.id]);
    assert.deepEqual(rows.map((r) => r.id), [notice.notificationId]);
  } finally {
    await watch.close();
  }
});

test("each programme bucket's accounts live in the shard of the bucket's merchants (Citus's placement is the application's bucket)", { skip }, async () => {
  const merchants = await enrolMerchants(db.pool, 64, 100);
  const { rows } = await db.pool.query<{ merchant_id: string; shard: string; anchor_shard: string; shard_index: number }>(
    `SELECT m::text AS merchant_id, get_shard_id_for_distribution_column('ledger_accounts', m)::text AS shard,
            get_shard_id_for_distribution_column('ledger_accounts', programme_anchor(m))::text AS anchor_shard,
            (SELECT count(*)::int FROM pg_dist_shard s WHERE s.logicalrelid = 'ledger_accounts'::regclass
                AND s.shardminvalue::int < (SELECT shardminvalue::int FROM pg_dist_shard WHERE shardid = get_shard_id_for_distribution_column('ledger_accounts', m))) AS shard_index
       FROM unnest($1::bigint[]) AS m`,
    [merchants.map((m) => m.id)],
  );
  for (const r of rows) {
    assert.equal(r.anchor_shard, r.shard, `merchant ${r.merchant_id}'s programme accounts are in its shard`);
    assert.equal(r.shard_index, programmeBucketOf(Number(r.merchant_id)), `merchant ${r.merchant_id}'s bucket is its shard's place among the 32`);
  }
});
