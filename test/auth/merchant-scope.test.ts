import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { asOps, asPlatform, asReviewer, createTestApp, type TestApp } from '../support/app.ts';
import { enrolMerchants, enrolment, type TestMerchant } from '../support/fixtures.ts';
import { assertError, phoneOf, signInApi, signInBrowser, TestClock, type ApiSession, type BrowserSession } from './support.ts';

const clock = new TestClock();
let t: TestApp;
let mine: TestMerchant;
let theirs: TestMerchant;
let api: ApiSession;
let browser: BrowserSession;
before(async () => {
  t = await createTestApp({ now: clock.now });
  const enrolled = await enrolMerchants(t.db.pool, 2, 1);
  mine = enrolled[0]!;
  theirs = enrolled[1]!;
  api = await signInApi(t, clock, phoneOf(1));
  browser = await signInBrowser(t, clock, phoneOf(1));
});
after(async () => t.close());

/** Every merchant route a merchant session may call, for a merchant id. */
const ROUTES: { method: 'GET' | 'POST'; url: (id: number | string) => string }[] = [
  { method: 'GET', url: (id) => `/v1/merchants/${id}` },
  { method: 'GET', url: (id) => `/v1/merchants/${id}/balance` },
  { method: 'GET', url: (id) => `/v1/merchants/${id}/transfers` },
  { method: 'GET', url: (id) => `/v1/merchants/${id}/transfers?limit=5` },
  { method: 'POST', url: (id) => `/v1/merchants/${id}/credits:collect` },
];

type As = { headers?: Record<string, string>; cookies?: Record<string, string> };
function as(kind: 'bearer' | 'cookie'): As {
  return kind === 'bearer' ? { headers: { authorization: `Bearer ${api.token}` } } : { cookies: { cp_session: browser.cookie }, headers: { 'x-csrf-token': browser.csrfToken } };
}

test('a merchant session reaches its own merchant on every merchant route', async () => {
  assert.equal(api.merchantId, String(mine.id));
  for (const kind of ['bearer', 'cookie'] as const) {
    for (const route of ROUTES) {
      const res = await t.app.inject({ method: route.method, url: route.url(mine.id), ...as(kind) });
      assert.equal(res.statusCode, 200, `${kind} ${route.method} ${route.url(mine.id)}: ${res.body}`);
    }
  }
  const read = await t.app.inject({ url: `/v1/merchants/${mine.id}`, ...as('bearer') });
  assert.equal(read.json().legalName, enrolment(1).legalName, 'its own record in full');
});

test("another merchant's id answers 404, exactly as an id that does not exist", async () => {
  for (const kind of ['bearer', 'cookie'] as const) {
    for (const route of ROUTES) {
      const other = await t.app.inject({ method: route.method, url: route.url(theirs.id), ...as(kind) });
      assertError(other, 404, 'merchant_not_found', 'id');
      assert.equal(other.json().error.message, `no merchant ${theirs.id}`);
      const absent = await t.app.inject({ method: route.method, url: route.url(999_999_999), headers: asOps });
      assertError(absent, 404, 'merchant_not_found', 'id');
      assert.deepEqual(Object.keys(other.json().error), Object.keys(absent.json().error));
    }
  }
});

test('staff keys keep working as before', async () => {
  for (const headers of [asOps, asPlatform]) {
    for (const route of ROUTES) {
      const res = await t.app.inject({ method: route.method, url: route.url(theirs.id), headers });
      assert.equal(res.statusCode, 200, `${route.method} ${route.url(theirs.id)}: ${res.body}`);
    }
  }
});

test('a merchant session cannot use staff routes; a reviewer key cannot enrol a merchant', async () => {
  const bearer = as('bearer').headers!;
  assertError(await t.app.inject({ method: 'POST', url: '/v1/merchants', headers: bearer, payload: enrolment(50) }), 401, 'unauthenticated');
  assertError(await t.app.inject({ url: '/v1/ledger/accounts/1', headers: bearer }), 401, 'unauthenticated');
  // routes that console users reach too recognise the session, and refuse it as the wrong kind of caller
  assertError(await t.app.inject({ url: `/v1/merchants/${mine.id}/signals`, headers: bearer }), 403, 'forbidden');

  assertError(await t.app.inject({ method: 'POST', url: '/v1/merchants', headers: asReviewer, payload: enrolment(51) }), 403, 'forbidden');
  assertError(await t.app.inject({ url: `/v1/merchants/${mine.id}`, headers: asReviewer }), 403, 'forbidden');
  assertError(await t.app.inject({ method: 'POST', url: `/v1/merchants/${mine.id}/credits:collect`, headers: asReviewer }), 403, 'forbidden');
  const { rows } = await t.db.pool.query('SELECT count(*)::int AS n FROM merchants WHERE wallet_user_id = $1', [enrolment(51).walletUserId]);
  assert.equal(rows[0].n, 0);
});
