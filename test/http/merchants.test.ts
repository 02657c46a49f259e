import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { asOps, asPlatform, createTestApp, type TestApp } from '../support/app.ts';
import { enrolment } from '../support/fixtures.ts';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

async function count(table: string): Promise<number> {
  const { rows } = await t.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return rows[0]!.n;
}

const enrol = (body: unknown, headers: Record<string, string> = asOps) => t.app.inject({ method: 'POST', url: '/v1/merchants', headers, payload: body as object });

test('enrols a merchant, opens its accounts and reads it back', async () => {
  const res = await enrol(enrolment(1));
  assert.equal(res.statusCode, 201);
  const merchant = res.json();
  assert.match(merchant.id, /^[1-9][0-9]*$/);
  assert.equal(merchant.walletUserId, enrolment(1).walletUserId);
  assert.equal(merchant.enrolledAt, '2026-01-01T00:00:00.000Z');
  assert.match(merchant.idNumberHash, /^[0-9a-f]{64}$/);
  assert.ok(!JSON.stringify(merchant).includes(enrolment(1).idNumber), 'the resident ID is never echoed');
  const stored = await t.db.pool.query('SELECT * FROM merchants WHERE merchant_id = $1', [merchant.id]);
  assert.ok(!JSON.stringify(stored.rows).includes(enrolment(1).idNumber), 'the resident ID is never stored');

  const read = await t.app.inject({ method: 'GET', url: `/v1/merchants/${merchant.id}`, headers: asPlatform });
  assert.equal(read.statusCode, 200);
  assert.deepEqual(read.json(), merchant);
  const balance = await t.app.inject({ method: 'GET', url: `/v1/merchants/${merchant.id}/balance`, headers: asPlatform });
  assert.deepEqual(balance.json(), { object: 'balance', merchantId: merchant.id, availableFen: 0, reservedFen: 0, pendingFen: 0, debtFen: 0 });
});

test('duplicates are refused with 409 naming the field, and nothing is written', async () => {
  await enrol(enrolment(2));
  const merchantsBefore = await count('merchants');
  const accountsBefore = await count('ledger_accounts');
  const sameWallet = await enrol(enrolment(3, { walletUserId: enrolment(2).walletUserId }));
  assert.equal(sameWallet.statusCode, 409);
  assert.deepEqual(sameWallet.json().error, { code: 'merchant_already_enrolled', message: 'a merchant with this walletUserId is already enrolled', field: 'walletUserId' });
  const samePerson = await enrol(enrolment(3, { idNumber: enrolment(2).idNumber.toLowerCase() }));
  assert.equal(samePerson.statusCode, 409);
  assert.equal(samePerson.json().error.field, 'idNumber');
  assert.equal(await count('merchants'), merchantsBefore);
  assert.equal(await count('ledger_accounts'), accountsBefore);
});

test('bad input is refused with a 4xx naming the field; nothing is written', async () => {
  const before = await count('merchants');
  const cases: [unknown, number, string, string][] = [
    [{ ...enrolment(10), idNumber: '110105194912310021' }, 400, 'invalid_id_number_check_digit', 'idNumber'],
    [{ ...enrolment(10), walletUserId: '2089000000000001' }, 400, 'invalid_field', 'walletUserId'],
    [{ ...enrolment(10), phone: '12800138000' }, 400, 'invalid_field', 'phone'],
    [{ ...enrolment(10), phone: 13800138000 }, 400, 'invalid_type', 'phone'],
    [{ ...enrolment(10), enrolledAt: 'yesterday' }, 400, 'invalid_field', 'enrolledAt'],
    [{ ...enrolment(10), legalName: ' 张三' }, 400, 'invalid_field', 'legalName'],
    [{ ...enrolment(10), nickname: 'x' }, 400, 'unknown_field', 'nickname'],
    [(({ city: _city, ...rest }) => rest)(enrolment(10)), 400, 'missing_field', 'city'],
  ];
  for (const [body, status, code, field] of cases) {
    const res = await enrol(body);
    assert.equal(res.statusCode, status, JSON.stringify(body));
    assert.deepEqual({ code: res.json().error.code, field: res.json().error.field }, { code, field }, JSON.stringify(res.json()));
    assert.equal(typeof res.json().error.message, 'string');
  }
  const malformed = await t.app.inject({ method: 'POST', url: '/v1/merchants', headers: { ...asOps, 'content-type': 'application/json' }, payload: '{"walletUserId":' });
  assert.equal(malformed.statusCode, 400);
  assert.equal(malformed.json().error.code, 'malformed_body');
  const huge = await t.app.inject({ method: 'POST', url: '/v1/merchants', headers: { ...asOps, 'content-type': 'application/json' }, payload: JSON.stringify({ ...enrolment(11), city: 'x'.repeat(5 * 1024 * 1024) }) });
  assert.equal(huge.statusCode, 413);
  assert.equal(huge.json().error.code, 'payload_too_large');
  const text = await t.app.inject({ method: 'POST', url: '/v1/merchants', headers: { ...asOps, 'content-type': 'text/plain' }, payload: 'hello' });
  assert.equal(text.statusCode, 415);
  assert.equal(await count('merchants'), before);
});

test('ids, routes and keys are checked', async () => {
  const badId = await t.app.inject({ method: 'GET', url: '/v1/merchants/abc', headers: asOps });
  assert.equal(badId.statusCode, 400);
  assert.equal(badId.json().error.field, 'id');
  const missing = await t.app.inject({ method: 'GET', url: '/v1/merchants/999999999', headers: asOps });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().error.code, 'merchant_not_found');
  const noRoute = await t.app.inject({ method: 'DELETE', url: '/v1/merchants/1' });
  assert.equal(noRoute.statusCode, 404);
  assert.equal(noRoute.json().error.code, 'route_not_found');
  const anonymous = await t.app.inject({ method: 'GET', url: '/v1/merchants/1' });
  assert.equal(anonymous.statusCode, 401);
  assert.equal(anonymous.json().error.field, 'authorization');
  const wrongKey = await t.app.inject({ method: 'GET', url: '/v1/merchants/1', headers: { authorization: 'Bearer nope_nope_nope_nope_nope_nope' } });
  assert.equal(wrongKey.statusCode, 401);
  const platformWritesLedger = await t.app.inject({ method: 'POST', url: '/v1/ledger/transfers', headers: asPlatform, payload: {} });
  assert.equal(platformWritesLedger.statusCode, 403);
});

test('an Idempotency-Key replays the first response and refuses a different request', async () => {
  const headers = { ...asOps, 'idempotency-key': 'enrol-20' };
  const first = await enrol(enrolment(20), headers);
  const retry = await enrol(enrolment(20), headers);
  assert.equal(first.statusCode, 201);
  assert.equal(retry.statusCode, 201);
  assert.equal(retry.headers['idempotent-replayed'], 'true');
  assert.deepEqual(retry.json(), first.json());
  const reused = await enrol(enrolment(21), headers);
  assert.equal(reused.statusCode, 409);
  assert.equal(reused.json().error.code, 'idempotency_key_reused');
  // concurrent twins with one key: one enrolment, the same answer twice
  const twins = await Promise.all([enrol(enrolment(22), { ...asOps, 'idempotency-key': 'enrol-22' }), enrol(enrolment(22), { ...asOps, 'idempotency-key': 'enrol-22' })]);
  assert.deepEqual(twins.map((r) => r.statusCode), [201, 201]);
  assert.equal(twins[0]!.json().id, twins[1]!.json().id);
});

test('operations endpoints: health, readiness, metrics and the OpenAPI document', async () => {
  assert.deepEqual((await t.app.inject({ url: '/healthz' })).json(), { status: 'ok' });
  assert.deepEqual((await t.app.inject({ url: '/readyz' })).json(), { status: 'ready' });
  const metrics = await t.app.inject({ url: '/metrics', headers: asOps });
  assert.equal(metrics.statusCode, 200);
  assert.match(metrics.body, /carepoints_http_request_duration_seconds_bucket\{.*route="\/v1\/merchants"/);
  const docs = await t.app.inject({ url: '/docs/json', headers: asOps });
  const spec = docs.json();
  assert.equal(spec.openapi, '3.1.0');
  assert.ok(spec.paths['/v1/merchants'].post.requestBody, 'the enrolment schema documents the body');
  assert.ok(spec.paths['/v1/ledger/transfers:batch'], 'the batch route is documented');
  assert.equal((await t.app.inject({ url: '/docs', headers: asOps })).statusCode < 400, true);
});

test('security headers on every answer; metrics and the API document only for operators', async () => {
  for (const url of ['/healthz', '/v1/nothing', '/']) {
    const res = await t.app.inject({ url });
    assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
    assert.equal(res.headers['x-frame-options'], 'DENY', url);
    assert.equal(res.headers['referrer-policy'], 'no-referrer', url);
  }
  for (const url of ['/metrics', '/docs/json', '/docs']) {
    const anonymous = await t.app.inject({ url });
    assert.equal(anonymous.statusCode, 401, url);
    assert.equal(anonymous.json().error.code, 'unauthenticated', url);
    assert.equal((await t.app.inject({ url, headers: asPlatform })).statusCode, 403, url);
  }
});
