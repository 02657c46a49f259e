import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from '../support/app.ts';
import { enrolMerchants } from '../support/fixtures.ts';
import { freshAddress, phoneOf, signInApi, TestClock } from './support.ts';

const clock = new TestClock();
let t: TestApp;
let token: string;
before(async () => {
  t = await createTestApp({ now: clock.now });
  await enrolMerchants(t.db.pool, 1, 1);
  token = (await signInApi(t, clock, phoneOf(1))).token;
});
after(async () => t.close());

function assertClientError(res: { statusCode: number; body: string; json(): unknown }, status = 400): void {
  assert.equal(res.statusCode, status, res.body);
  const body = res.json() as { error: { code: string; message: string; field?: string } };
  assert.deepEqual(Object.keys(body), ['error']);
  assert.equal(typeof body.error.code, 'string');
  assert.equal(typeof body.error.message, 'string');
}

const ODD_PHONES: unknown[] = ['138000\u00000001', '1'.repeat(10 * 1024), 13800000001, null, true, ['13800000001'], { n: 1 }, '', ' 13800000001', '13800000001\n', '１３８０００００００１', '12800000001'];

test('odd phones and bodies are refused with 400 and the error shape, never 5xx', async () => {
  for (const phone of ODD_PHONES) {
    assertClientError(await t.app.inject({ method: 'POST', url: '/v1/auth/otp', payload: { phone }, remoteAddress: freshAddress() }));
    assertClientError(await t.app.inject({ method: 'POST', url: '/v1/auth/sessions', payload: { phone, code: '123456', client: 'api' }, remoteAddress: freshAddress() }));
  }
  const sessionBodies: unknown[] = [
    { phone: phoneOf(1), code: 123456, client: 'api' },
    { phone: phoneOf(1), code: '12345', client: 'api' },
    { phone: phoneOf(1), code: '1234567', client: 'api' },
    { phone: phoneOf(1), code: '12\u00003456', client: 'api' },
    { phone: phoneOf(1), code: '123456', client: 'desktop' },
    { phone: phoneOf(1), code: '123456' },
    { phone: phoneOf(1), code: '123456', client: 'api', merchantId: 5 },
    { phone: phoneOf(1), code: '123456', client: 'api', extra: 1 },
    [],
    'x'.repeat(10 * 1024),
  ];
  for (const payload of sessionBodies) {
    assertClientError(await t.app.inject({ method: 'POST', url: '/v1/auth/sessions', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(payload), remoteAddress: freshAddress() }));
  }
  for (const raw of ['{"phone":', '', 'null', '"13800000001"']) {
    assertClientError(await t.app.inject({ method: 'POST', url: '/v1/auth/otp', headers: { 'content-type': 'application/json' }, payload: raw }));
  }
  assertClientError(await t.app.inject({ method: 'POST', url: '/v1/auth/otp', headers: { 'content-type': 'text/plain' }, payload: 'phone=13800000001' }), 415);
  assertClientError(await t.app.inject({ method: 'POST', url: '/v1/auth/otp', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'phone=13800000001' }), 415);
  for (const q of ['phone=1380000%000001', `phone=${'1'.repeat(10 * 1024)}`, 'phone=abc', '', 'phone=13800000001&x=1']) {
    assertClientError(await t.app.inject({ url: `/v1/dev/otp?${q}` }));
  }
});

test('odd credentials are refused with 401 and the error shape, never 5xx', async () => {
  const headers: Record<string, string>[] = [
    { authorization: 'Bearer' },
    { authorization: 'Bearer ' },
    { authorization: `Bearer ${'a'.repeat(10 * 1024)}` },
    { authorization: `Basic ${token}` },
    { authorization: `Bearer ${token}x` },
    { authorization: `Bearer ${token.slice(1)}` },
    { authorization: 'Bearer a\tb' },
  ];
  for (const h of headers) assertClientError(await t.app.inject({ url: '/v1/me', headers: h }), 401);
  for (const value of ['', 'x', 'a'.repeat(10 * 1024), token, '%00%00', '\u00e9\u00e9']) {
    const res = await t.app.inject({ url: '/v1/me', headers: { cookie: `cp_session=${value}` } });
    assertClientError(res, 401);
  }
  const csrf = await t.app.inject({ method: 'DELETE', url: '/v1/auth/session', headers: { authorization: `Bearer ${token}`, 'x-csrf-token': 'a'.repeat(10 * 1024) } });
  assert.equal(csrf.statusCode, 204, 'a bearer session ignores X-CSRF-Token');
});
