/**
 * Every list pages one way (issue 22): `limit`, an opaque `nextCursor`, `hasMore`; walking the pages
 * shows every row once, in the list's order, and a cursor the API did not issue is a 400.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ingestPayments } from '../../src/payments/ingest.ts';
import { asOps, createTestApp, type TestApp } from '../support/app.ts';
import { notification, payerWallet } from '../support/payments.ts';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

async function walk(url: string, limit: number): Promise<{ pages: number; ids: string[] }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res: { statusCode: number; body: string; json: () => unknown } = await t.app.inject({ url: `${url}?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, headers: asOps });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as { object: string; data: { id?: string; tradeNo?: string }[]; hasMore: boolean; nextCursor: string | null };
    assert.equal(body.object, 'list');
    assert.equal(body.hasMore, body.nextCursor !== null);
    ids.push(...body.data.map((d) => d.id ?? d.tradeNo ?? ''));
    cursor = body.nextCursor;
    pages++;
  } while (cursor !== null && pages < 20);
  return { pages, ids };
}

test('operator alerts page open ones first, newest first, each once', async () => {
  const { rows } = await t.db.pool.query<{ alert_id: string }>(
    `INSERT INTO operator_alerts (at, kind, subject, resolved_at)
     SELECT '2026-01-01T00:00:00Z'::timestamptz + make_interval(mins => i % 3), 'test_alert', 'subject-' || i, CASE WHEN i % 2 = 0 THEN '2026-01-02T00:00:00Z'::timestamptz END
       FROM generate_series(1, 7) i RETURNING alert_id::text`,
  );
  assert.equal(rows.length, 7);
  const { rows: expected } = await t.db.pool.query<{ alert_id: string }>('SELECT alert_id::text FROM operator_alerts ORDER BY resolved_at IS NOT NULL, at DESC, alert_id DESC');
  const walked = await walk('/v1/ops/alerts', 2);
  assert.deepEqual(walked.ids, expected.map((r) => r.alert_id));
  assert.equal(walked.pages, 4);
});

test('unmatched payments page newest first, each once', async () => {
  const at = (minute: number) => new Date(Date.UTC(2026, 5, 1, 2, minute));
  await ingestPayments(t.db.pool, Array.from({ length: 5 }, (_, i) => notification({ tradeNo: `UNM-${i}`, sellerId: '2088555555555555', buyerId: payerWallet(i + 1), gmtPayment: at(i) })));
  const { rows: expected } = await t.db.pool.query<{ trade_no: string }>('SELECT trade_no FROM unmatched_payments ORDER BY received_at DESC, trade_no DESC');
  const walked = await walk('/v1/payments/unmatched', 2);
  assert.deepEqual(walked.ids, expected.map((r) => r.trade_no));
  assert.equal(walked.ids.length, 5);
});

test('a cursor the API did not issue, or one of another list, is refused with 400 invalid_cursor', async () => {
  for (const url of ['/v1/ops/alerts', '/v1/payments/unmatched', '/v1/ops/dead-jobs']) {
    for (const cursor of ['nonsense', Buffer.from("at:2026-01-01T00:00:00.000Z|x'; DROP TABLE merchants").toString('base64url')]) {
      const res = await t.app.inject({ url: `${url}?cursor=${cursor}`, headers: asOps });
      assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
      assert.equal(res.json().error.code, 'invalid_cursor');
    }
  }
  const empty = await t.app.inject({ url: '/v1/ops/dead-jobs?limit=5', headers: asOps });
  assert.deepEqual([empty.statusCode, empty.json().data, empty.json().hasMore], [200, [], false]);
});
