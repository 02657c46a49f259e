import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { asOps, createTestApp, type TestApp } from '../support/app.ts';
import { enrolMerchants } from '../support/fixtures.ts';
import { assertError, freshAddress, phoneOf, requestCode, sentCode, signInApi, signInBrowser, TestClock } from './support.ts';

const clock = new TestClock();
let t: TestApp;
before(async () => {
  t = await createTestApp({ now: clock.now });
  await enrolMerchants(t.db.pool, 5, 1);
});
after(async () => t.close());

test('browser: an http-only, SameSite=Lax cookie; Secure only on https or when configured', async () => {
  clock.advance(61_000);
  const phone = phoneOf(1);
  await requestCode(t, phone);
  const code = await sentCode(t, phone);
  const res = await t.app.inject({ method: 'POST', url: '/v1/auth/sessions', payload: { phone, code, client: 'browser' }, remoteAddress: freshAddress() });
  assert.equal(res.statusCode, 201);
  const body = res.json();
  assert.deepEqual(Object.keys(body).sort(), ['client', 'csrfToken', 'expiresAt', 'merchantId', 'object']);
  assert.equal(body.token, undefined, 'the browser never sees the token in JSON');
  const cookie = res.cookies.find((c) => c.name === 'cp_session')!;
  assert.match(cookie.value, new RegExp(`^${body.merchantId}\\.[A-Za-z0-9_-]{43}$`), 'the token names its merchant, then 32 random bytes');
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Lax');
  assert.equal(cookie.path, '/');
  assert.equal(cookie.secure, undefined, 'plain http in development');
  assert.equal(new Date(cookie.expires!).toISOString(), new Date(body.expiresAt).toISOString().replace(/\.\d{3}Z$/, '.000Z'));
  assert.notEqual(body.csrfToken, cookie.value);

  const secure = await createTestApp({ now: clock.now, secureCookies: true });
  try {
    await enrolMerchants(secure.db.pool, 1, 1);
    await requestCode(secure, phone);
    const c = await sentCode(secure, phone);
    const r = await secure.app.inject({ method: 'POST', url: '/v1/auth/sessions', payload: { phone, code: c, client: 'browser' } });
    assert.equal(r.cookies.find((x) => x.name === 'cp_session')!.secure, true);
  } finally {
    await secure.close();
  }
});

test('cookie sessions: reads need no CSRF token; changes need the session\'s X-CSRF-Token', async () => {
  const s = await signInBrowser(t, clock, phoneOf(2));
  const cookies = { cp_session: s.cookie };
  const me = await t.app.inject({ url: '/v1/me', cookies });
  assert.equal(me.statusCode, 200);
  assert.equal(me.json().id, s.merchantId);
  assert.equal(me.json().session.client, 'browser');
  assert.equal(me.json().session.csrfToken, s.csrfToken, 'a reloaded page can get its CSRF token again');

  const collect = (headers: Record<string, string>) => t.app.inject({ method: 'POST', url: `/v1/merchants/${s.merchantId}/credits:collect`, cookies, headers });
  assertError(await collect({}), 403, 'csrf_token_invalid', 'x-csrf-token');
  assertError(await collect({ 'x-csrf-token': 'x'.repeat(43) }), 403, 'csrf_token_invalid');
  const other = await signInBrowser(t, clock, phoneOf(3));
  assertError(await collect({ 'x-csrf-token': other.csrfToken }), 403, 'csrf_token_invalid', 'x-csrf-token');
  const ok = await collect({ 'x-csrf-token': s.csrfToken });
  assert.equal(ok.statusCode, 200, ok.body);

  assertError(await t.app.inject({ method: 'DELETE', url: '/v1/auth/session', cookies }), 403, 'csrf_token_invalid');
  const out = await t.app.inject({ method: 'DELETE', url: '/v1/auth/session', cookies, headers: { 'x-csrf-token': s.csrfToken } });
  assert.equal(out.statusCode, 204);
  const cleared = out.cookies.find((c) => c.name === 'cp_session')!;
  assert.equal(cleared.value, '');
  assert.equal(new Date(cleared.expires!).getTime(), 0, 'the cookie is expired');
  assertError(await t.app.inject({ url: '/v1/me', cookies }), 401, 'unauthenticated', 'cookie');
});

test('bearer tokens need no CSRF token; a cookie is not a bearer token, nor the reverse', async () => {
  const api = await signInApi(t, clock, phoneOf(4));
  const collect = await t.app.inject({ method: 'POST', url: `/v1/merchants/${api.merchantId}/credits:collect`, headers: { authorization: `Bearer ${api.token}` } });
  assert.equal(collect.statusCode, 200, collect.body);

  const browser = await signInBrowser(t, clock, phoneOf(4));
  assertError(await t.app.inject({ url: '/v1/me', headers: { authorization: `Bearer ${browser.cookie}` } }), 401, 'unauthenticated');
  assertError(await t.app.inject({ url: '/v1/me', cookies: { cp_session: api.token } }), 401, 'unauthenticated');
  // the Authorization header wins over a cookie: a bad header is not rescued by a good cookie
  assertError(await t.app.inject({ url: '/v1/me', headers: { authorization: 'Bearer nope' }, cookies: { cp_session: browser.cookie } }), 401, 'unauthenticated');
});

test("a token is found only under the merchant it names: another merchant's id, no id or an oversized id is not a session", async () => {
  const api = await signInApi(t, clock, phoneOf(3));
  const secret = api.token.split('.')[1]!;
  const other = (await signInApi(t, clock, phoneOf(1))).merchantId;
  assert.equal((await t.app.inject({ url: '/v1/me', headers: { authorization: `Bearer ${api.token}` } })).statusCode, 200);
  for (const token of [`${other}.${secret}`, secret, `99999999999999999.${secret}`, `0${api.merchantId}.${secret}`, `${api.merchantId}.${secret}x`]) {
    assertError(await t.app.inject({ url: '/v1/me', headers: { authorization: `Bearer ${token}` } }), 401, 'unauthenticated');
  }
});

test('sessions expire after 30 days; signing out one session leaves the others', async () => {
  const a = await signInApi(t, clock, phoneOf(5));
  const b = await signInApi(t, clock, phoneOf(5));
  const asA = { authorization: `Bearer ${a.token}` };
  const asB = { authorization: `Bearer ${b.token}` };
  assert.equal((await t.app.inject({ method: 'DELETE', url: '/v1/auth/session', headers: asA })).statusCode, 204);
  assert.equal((await t.app.inject({ url: '/v1/me', headers: asB })).statusCode, 200);
  clock.advance(new Date(b.expiresAt).getTime() - clock.now().getTime() - 1);
  assert.equal((await t.app.inject({ url: '/v1/me', headers: asB })).statusCode, 200, 'alive one millisecond before its end');
  clock.advance(1);
  assertError(await t.app.inject({ url: '/v1/me', headers: asB }), 401, 'unauthenticated');
});

test('staff keys are not merchants: /v1/me and sign-out answer 403', async () => {
  assertError(await t.app.inject({ url: '/v1/me', headers: asOps }), 403, 'forbidden');
  assertError(await t.app.inject({ method: 'DELETE', url: '/v1/auth/session', headers: asOps }), 403, 'forbidden');
  assertError(await t.app.inject({ url: '/v1/me' }), 401, 'unauthenticated', 'authorization');
});

test('the development endpoint exists only in development builds', async () => {
  const prod = await createTestApp({ devEndpoints: false });
  try {
    assertError(await prod.app.inject({ url: '/v1/dev/otp?phone=13800000001' }), 404, 'route_not_found');
    await enrolMerchants(prod.db.pool, 1, 1);
    assert.equal((await requestCode(prod, phoneOf(1))).statusCode, 202);
    const { rows } = await prod.db.pool.query('SELECT count(*)::int AS n FROM dev_sms_outbox');
    assert.equal(rows[0].n, 0, 'nothing is written to the development outbox');
  } finally {
    await prod.close();
  }
});

test('a custom SMS provider receives the text; a failing one still answers 202', async () => {
  const sent: { phone: string; text: string }[] = [];
  const custom = await createTestApp({ devEndpoints: false, smsProvider: { send: async (phone, text) => void sent.push({ phone, text }) } });
  const failing = await createTestApp({ devEndpoints: false, smsProvider: { send: async () => Promise.reject(new Error('gateway down')) } });
  try {
    await enrolMerchants(custom.db.pool, 1, 1);
    await enrolMerchants(failing.db.pool, 1, 1);
    assert.equal((await requestCode(custom, phoneOf(1))).statusCode, 202);
    await custom.app.close();
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.phone, phoneOf(1));
    assert.match(sent[0]!.text, /验证码是 [0-9]{6}/);
    assert.equal((await requestCode(failing, phoneOf(1))).statusCode, 202);
  } finally {
    await custom.db.close();
    await failing.close();
  }
});
