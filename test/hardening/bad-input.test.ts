/**
 * Issue 13, findings 2–5: each input that got a 500 (or was silently accepted) before, refused now
 * with a 4xx in the one error shape and nothing written.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { randomUUID } from 'node:crypto';
import { signRsa2 } from '../../src/shared/rsa2.ts';
import { asOps, asPlatform, createTestApp, PLATFORM_KEYS, TEST_PLATFORM_APP_ID, type TestApp } from '../support/app.ts';
import { enrolMerchants, enrolment, type TestMerchant } from '../support/fixtures.ts';
import { payerWallet } from '../support/payments.ts';

/** The server's clock: payments are judged against it, never against today's date. */
const NOW = new Date('2026-11-25T00:00:00Z');
let t: TestApp;
let m: TestMerchant;
before(async () => {
  t = await createTestApp({ now: () => NOW });
  m = (await enrolMerchants(t.db.pool, 1))[0]!;
});
after(async () => t.close());

type Answer = { statusCode: number; body: string; json(): unknown };

function assertRefused(res: Answer, status: number, code: string, field?: string): void {
  assert.equal(res.statusCode, status, res.body);
  const body = res.json() as { error: { code: string; message: string; field?: string } };
  assert.deepEqual(Object.keys(body), ['error']);
  assert.equal(body.error.code, code, res.body);
  assert.ok(body.error.message.length > 0);
  if (field !== undefined) assert.equal(body.error.field, field, res.body);
}

async function counts(): Promise<string> {
  const { rows } = await t.db.pool.query('SELECT (SELECT count(*) FROM merchants) m, (SELECT count(*) FROM ledger_transfers) t, (SELECT count(*) FROM payments) p, (SELECT count(*) FROM rulesets) r');
  return JSON.stringify(rows[0]);
}

test('NUL, lone surrogates, invisible and bidi characters in text are refused by name; names are stored NFC', async () => {
  const before = await counts();
  const enrol = (overrides: Record<string, string>) => t.app.inject({ method: 'POST', url: '/v1/merchants', headers: asOps, payload: enrolment(50, overrides) });
  assertRefused(await enrol({ legalName: '张\u0000三' }), 400, 'invalid_characters', 'legalName');
  assertRefused(await enrol({ city: '杭\u0000州' }), 400, 'invalid_characters', 'city');
  assertRefused(await enrol({ legalName: '张\u200b三' }), 400, 'invalid_characters', 'legalName');
  assertRefused(await enrol({ legalName: '\u202e三张' }), 400, 'invalid_characters', 'legalName');
  const surrogate = JSON.stringify(enrolment(50)).replace('商户50', '\\ud800x');
  assertRefused(await t.app.inject({ method: 'POST', url: '/v1/merchants', headers: { ...asOps, 'content-type': 'application/json' }, payload: surrogate }), 400, 'invalid_characters', 'legalName');
  const transfers = [0, 1].map((i) => ({ id: randomUUID(), debitAccountId: 1, creditAccountId: 2, amountFen: 5, code: 'adjustment', reference: i === 1 ? 'a\u0000b' : 'ok' }));
  assertRefused(await t.app.inject({ method: 'POST', url: '/v1/ledger/transfers:batch', headers: asOps, payload: { transfers } }), 400, 'invalid_characters', 'transfers.1.reference');
  assert.equal(await counts(), before, 'nothing written');

  const decomposed = 'Zoe\u0301 Li';
  const ok = await enrol({ legalName: decomposed });
  assert.equal(ok.statusCode, 201, ok.body);
  assert.equal(ok.json().legalName, 'Zoé Li'.normalize('NFC'));
});

test('ids beyond 15 digits are refused on every route that takes one, never a 500', async () => {
  const id = '9999999999999999';
  for (const [method, url] of [
    ['GET', `/v1/merchants/${id}`],
    ['GET', `/v1/merchants/${id}/balance`],
    ['GET', `/v1/merchants/${id}/transfers`],
    ['GET', `/v1/merchants/${id}/signals`],
    ['POST', `/v1/merchants/${id}/credits:collect`],
  ] as const) {
    assertRefused(await t.app.inject({ method, url, headers: asOps }), 400, 'invalid_field', 'id');
  }
  assertRefused(await t.app.inject({ url: `/v1/ledger/accounts/${id}`, headers: asOps }), 400, 'invalid_field', 'accountId');
  const longest = await t.app.inject({ url: `/v1/merchants/${'9'.repeat(15)}/balance`, headers: asOps });
  assertRefused(longest, 404, 'merchant_not_found');
});

test('date-times outside 2000–2099, impossible days and leap seconds are refused (enrolment, rulesets)', async () => {
  const before = await counts();
  for (const enrolledAt of ['0000-01-01T00:00:00Z', '1999-12-31T23:59:59Z', '2016-12-31T23:59:60Z', '2026-02-30T00:00:00Z']) {
    assertRefused(await t.app.inject({ method: 'POST', url: '/v1/merchants', headers: asOps, payload: enrolment(51, { enrolledAt }) }), 400, 'invalid_field', 'enrolledAt');
  }
  const params = (await t.app.inject({ url: '/v1/rulesets', headers: asOps })).json().data[0].rules;
  for (const effectiveFrom of ['2030-06-30T23:59:60Z', '9999-12-31T00:00:00Z']) {
    assertRefused(await t.app.inject({ method: 'POST', url: '/v1/rulesets', headers: asOps, payload: { name: 'leap', effectiveFrom, params } }), 400, 'invalid_field', 'effectiveFrom');
  }
  assert.equal(await counts(), before);
  await assert.rejects(t.db.pool.query("UPDATE merchants SET enrolled_at = '0100-01-01' WHERE merchant_id = $1", [m.id]), /merchants_enrolled_at_plausible/);
});

test('balances stay safe integers: an account side stops at 10^15 fen, in the engine and in the database', async () => {
  const transfer = () => ({ id: randomUUID(), debitAccountId: 1, creditAccountId: 2, amountFen: 1e12, code: 'adjustment' });
  const first = await t.app.inject({ method: 'POST', url: '/v1/ledger/transfers:batch', headers: asOps, payload: { transfers: Array.from({ length: 1000 }, transfer) } });
  assert.equal(first.statusCode, 200, first.body);
  assert.ok(first.json().results.every((r: { status: string }) => r.status === 'created'));
  const over = await t.app.inject({ method: 'POST', url: '/v1/ledger/transfers', headers: asOps, payload: transfer() });
  assertRefused(over, 422, 'exceeds_account_limit');
  for (const id of [1, 2]) {
    const account = await t.app.inject({ url: `/v1/ledger/accounts/${id}`, headers: asOps });
    assert.equal(account.statusCode, 200, account.body);
  }
  assert.equal((await t.app.inject({ url: '/v1/ledger/accounts/1', headers: asOps })).json().debitsPostedFen, 1e15);
  await assert.rejects(t.db.pool.query('UPDATE ledger_accounts SET credits_posted = credits_posted + 1 WHERE account_id = 2'), /ledger_accounts_credits_within_limit/);
});

test('POST /v1/payments and /v1/paymentsXYZ do not reach the batch route; OpenAPI shows its real path', async () => {
  for (const url of ['/v1/payments', '/v1/paymentsXYZ', '/v1/payments:other']) {
    assertRefused(await t.app.inject({ method: 'POST', url, headers: asPlatform, payload: [{}] }), 404, 'route_not_found');
  }
  const paths = Object.keys((await t.app.inject({ url: '/docs/json', headers: asOps })).json().paths);
  assert.ok(paths.includes('/v1/payments:batch'), paths.join(' '));
  assert.ok(!paths.some((p) => p.includes('{batch}')));
});

function notification(tradeNo: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    notify_id: `n-${tradeNo}`,
    notify_time: '2026-11-24 10:00:05',
    notify_type: 'trade_status_sync',
    app_id: TEST_PLATFORM_APP_ID,
    trade_no: tradeNo,
    buyer_id: payerWallet(1),
    seller_id: enrolment(1).walletUserId,
    trade_status: 'TRADE_SUCCESS',
    total_amount: '12.50',
    gmt_payment: '2026-11-24 10:00:00',
    ...overrides,
  };
}

const notify = (payload: string, type = 'application/x-www-form-urlencoded') => t.app.inject({ method: 'POST', url: '/v1/notify/payment', headers: { 'content-type': type }, payload });
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

test('the webhook takes only RSA2, only form bodies, only our app id; refusals write nothing', async () => {
  const before = await counts();
  const fields = notification('H1');
  const sign = signRsa2(fields, PLATFORM_KEYS.privateKey);
  for (const signType of ['RSA', 'MD5', 'NONE', 'rsa2', '']) {
    assertRefused(await notify(form({ ...fields, sign_type: signType, sign })), 400, signType === '' ? 'unsupported_sign_type' : 'unsupported_sign_type', 'sign_type');
  }
  assertRefused(await notify(form({ ...fields, sign })), 400, 'missing_field', 'sign_type');
  assertRefused(await notify(JSON.stringify({ ...fields, sign_type: 'RSA2', sign }), 'application/json'), 415, 'unsupported_media_type');
  for (const appId of ['2021000000000009', undefined]) {
    const other = notification('H2', appId === undefined ? {} : { app_id: appId });
    if (appId === undefined) delete other.app_id;
    assertRefused(await notify(form({ ...other, sign_type: 'RSA2', sign: signRsa2(other, PLATFORM_KEYS.privateKey) })), 400, 'wrong_app_id', 'app_id');
  }
  assert.equal(await counts(), before, 'nothing written');
  const good = await notify(form({ ...fields, sign_type: 'RSA2', sign }));
  assert.equal(good.body, 'success');
});

test('payment times far from receipt and zero-padded amounts are refused (batch and webhook)', async () => {
  const before = await counts();
  const batch = [
    notification('D1', { gmt_payment: '9999-12-31 23:59:59' }),
    notification('D2', { gmt_payment: '0100-01-01 00:00:00' }),
    notification('D3', { total_amount: '01.00' }),
    notification('D4', { notify_time: '2026-11-25 09:00:00' }),
  ];
  const res = await t.app.inject({ method: 'POST', url: '/v1/payments:batch', headers: asPlatform, payload: batch });
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(
    res.json().results.map((r: { status: string; error: { code: string; field: string } }) => [r.status, r.error.code, r.error.field]),
    [
      ['rejected', 'implausible_date', 'gmt_payment'],
      ['rejected', 'implausible_date', 'gmt_payment'],
      ['rejected', 'invalid_amount', 'total_amount'],
      ['rejected', 'implausible_date', 'notify_time'],
    ],
  );
  const late = notification('D5', { gmt_payment: '9999-12-31 23:59:59' });
  assertRefused(await notify(form({ ...late, sign_type: 'RSA2', sign: signRsa2(late, PLATFORM_KEYS.privateKey) })), 400, 'implausible_date', 'gmt_payment');
  assert.equal(await counts(), before);
});

test('Fastify\'s own refusals come in our shape, with the limit of the route', async () => {
  // the router refuses a parameter over 200 characters (414), unless a catch-all route (the web apps' fallback) answers 404 first
  const longId = await t.app.inject({ url: `/v1/merchants/${'1'.repeat(201)}`, headers: asOps });
  if (longId.statusCode === 414) assertRefused(longId, 414, 'uri_too_long');
  else assertRefused(longId, 404, 'route_not_found');
  assertRefused(await t.app.inject({ url: '/v1/merchants/%E0%A4%A', headers: asOps }), 400, 'bad_url');
  const webhook = await notify('a=' + 'x'.repeat(64 * 1024));
  assertRefused(webhook, 413, 'payload_too_large');
  assert.match(webhook.json().error.message, /64 KiB/);
  const batch = await t.app.inject({ method: 'POST', url: '/v1/payments:batch', headers: { ...asPlatform, 'content-type': 'application/json' }, payload: Buffer.alloc(16 * 1024 * 1024 + 1, ' ') });
  assertRefused(batch, 413, 'payload_too_large');
  assert.match(batch.json().error.message, /16 MiB/);
  const enrol = await t.app.inject({ method: 'POST', url: '/v1/merchants', headers: { ...asOps, 'content-type': 'application/json' }, payload: Buffer.alloc(4 * 1024 * 1024 + 1, ' ') });
  assertRefused(enrol, 413, 'payload_too_large');
  assert.match(enrol.json().error.message, /4 MiB/);
});

test('a request Node\'s parser refuses (headers too large, not HTTP) is answered in our shape', async () => {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = t.app.server.address() as net.AddressInfo;
  const raw = (text: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.end(text));
      let answer = '';
      socket.on('data', (d) => (answer += d.toString()));
      socket.on('close', () => resolve(answer));
      socket.on('error', reject);
    });
  for (const [request, status, code] of [
    [`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'headers_too_large'],
    ['NOT HTTP AT ALL\r\n\r\n', 400, 'bad_request'],
  ] as const) {
    const answer = await raw(request);
    assert.match(answer, new RegExp(`^HTTP/1.1 ${status} `), answer);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
    assert.equal(body.error.code, code);
  }
});

test('CAREPOINTS_PLATFORM_APP_ID: 16 digits; required with a real platform key; the development one otherwise', async () => {
  const { loadConfig, DEV_PLATFORM_APP_ID } = await import('../../src/config/config.ts');
  const publicKey = PLATFORM_KEYS.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  assert.equal(loadConfig({}).platformAppId, DEV_PLATFORM_APP_ID);
  assert.equal(loadConfig({ CAREPOINTS_PLATFORM_PUBLIC_KEY: publicKey, CAREPOINTS_PLATFORM_APP_ID: '2021000000000042' }).platformAppId, '2021000000000042');
  assert.throws(() => loadConfig({ CAREPOINTS_PLATFORM_PUBLIC_KEY: publicKey }), /CAREPOINTS_PLATFORM_APP_ID: required with CAREPOINTS_PLATFORM_PUBLIC_KEY/);
  assert.throws(() => loadConfig({ CAREPOINTS_PLATFORM_APP_ID: '2021-0001' }), /CAREPOINTS_PLATFORM_APP_ID: expected the platform's 16-digit app id/);
});
