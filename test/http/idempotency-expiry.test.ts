import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pruneIdempotencyKeys } from '../../src/http/idempotency.ts';
import { asOps, createTestApp, type TestApp } from '../support/app.ts';
import { enrolment } from '../support/fixtures.ts';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

const enrol = (n: number, key: string) => t.app.inject({ method: 'POST', url: '/v1/merchants', headers: { ...asOps, 'idempotency-key': key }, payload: enrolment(n) });
const keys = async () => (await t.db.pool.query<{ idempotency_key: string }>('SELECT idempotency_key FROM idempotency_keys ORDER BY idempotency_key')).rows.map((r) => r.idempotency_key);

test('an Idempotency-Key is remembered for a day, then it is a new request; the pruner forgets old keys', async () => {
  assert.equal((await enrol(40, 'day-old')).statusCode, 201);
  assert.equal((await enrol(41, 'fresh')).statusCode, 201);
  await t.db.pool.query("UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE idempotency_key = 'day-old'");

  const reused = await enrol(42, 'day-old');
  assert.equal(reused.statusCode, 201, 'a key past its day no longer refuses another request');
  assert.notEqual(reused.headers['idempotent-replayed'], 'true');
  assert.equal((await enrol(42, 'day-old')).headers['idempotent-replayed'], 'true', 'and it now remembers the new one');
  assert.equal((await enrol(43, 'fresh')).statusCode, 409, 'a key within its day still refuses another request');

  await t.db.pool.query("UPDATE idempotency_keys SET created_at = '2026-01-01T00:00:00Z' WHERE idempotency_key = 'fresh'");
  assert.equal(await pruneIdempotencyKeys(t.db.pool, new Date('2026-01-01T23:59:59Z')), 0, 'not yet a day old then');
  assert.equal(await pruneIdempotencyKeys(t.db.pool, new Date('2026-01-02T00:00:00Z')), 1);
  assert.deepEqual(await keys(), ['day-old']);
});
