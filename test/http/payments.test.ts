import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { signRsa2 } from '../../src/shared/rsa2.ts';
import { asOps, asPlatform, createTestApp, PLATFORM_KEYS, type TestApp } from '../support/app.ts';
import { enrolMerchants, enrolment, type TestMerchant } from '../support/fixtures.ts';
import { payerWallet } from '../support/payments.ts';

let t: TestApp;
const NOW = new Date('2026-11-23T02:00:00Z'); // 10:00 in Shanghai
let m: TestMerchant;
before(async () => {
  // the server's clock: three days after the payments of these tests (2026-11-20), whatever today is
  t = await createTestApp({ now: () => NOW });
  m = (await enrolMerchants(t.db.pool, 1))[0]!;
});
after(async () => t.close());

function fields(tradeNo: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    notify_id: `n-${tradeNo}`,
    notify_time: '2026-11-20 10:00:05',
    notify_type: 'trade_status_sync',
    app_id: '2021000000000000',
    trade_no: tradeNo,
    out_trade_no: `o-${tradeNo}`,
    buyer_id: payerWallet(1),
    seller_id: enrolment(1).walletUserId,
    trade_status: 'TRADE_SUCCESS',
    total_amount: '12.50',
    receipt_amount: '12.50',
    gmt_payment: '2026-11-20 10:00:00',
    ...overrides,
  };
}

function signed(f: Record<string, string>): string {
  return new URLSearchParams({ ...f, sign_type: 'RSA2', sign: signRsa2(f, PLATFORM_KEYS.privateKey) }).toString();
}

const notify = (body: string) => t.app.inject({ method: 'POST', url: '/v1/notify/payment', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: body });

async function payments(): Promise<number> {
  return (await t.db.pool.query('SELECT count(*)::int n FROM payments')).rows[0].n;
}

test('a signed notification is applied once and answered with the plain text success', async () => {
  const body = signed(fields('W1'));
  const first = await notify(body);
  assert.equal(first.statusCode, 200);
  assert.equal(first.body, 'success');
  assert.match(first.headers['content-type'] as string, /^text\/plain/);
  const again = await notify(body);
  assert.equal(again.body, 'success');
  const balance = await t.app.inject({ url: `/v1/merchants/${m.id}/balance`, headers: asPlatform });
  assert.equal(balance.json().pendingFen, 400, 'payer credit and welcome credit, once');
});

test('bad, missing or tampered signatures and bad fields are refused with nothing written', async () => {
  const before = await payments();
  const good = fields('W2');
  const tampered = new URLSearchParams(signed(good));
  tampered.set('total_amount', '999.00');
  const cases: [string, string, string][] = [
    [tampered.toString(), 'invalid_signature', 'sign'],
    [new URLSearchParams(good).toString(), 'missing_signature', 'sign'],
    [new URLSearchParams({ ...good, sign_type: 'RSA2', sign: 'AAAA' }).toString(), 'invalid_signature', 'sign'],
    [signed(fields('W3', { total_amount: '1.234' })), 'invalid_amount', 'total_amount'],
    [signed(fields('W4', { total_amount: '-1.00' })), 'invalid_amount', 'total_amount'],
    [signed(fields('W5', { trade_status: 'TRADE_PAID' })), 'unknown_status', 'trade_status'],
    [signed(fields('W6', { gmt_payment: '2026-02-30 10:00:00' })), 'invalid_date', 'gmt_payment'],
  ];
  for (const [body, code, field] of cases) {
    const res = await notify(body);
    assert.equal(res.statusCode, 400, body);
    assert.notEqual(res.body, 'success');
    assert.deepEqual({ code: res.json().error.code, field: res.json().error.field }, { code, field });
  }
  assert.equal(await payments(), before);
});

test('the batch API applies the good items and reports each bad one', async () => {
  const batch = [fields('B1', { buyer_id: payerWallet(2) }), { ...fields('B2'), total_amount: 'abc' }, fields('B3', { seller_id: '2088555555555555' }), fields('B1', { buyer_id: payerWallet(2) })];
  const res = await t.app.inject({ method: 'POST', url: '/v1/payments:batch', headers: asPlatform, payload: batch });
  assert.equal(res.statusCode, 200);
  const results = res.json().results;
  assert.deepEqual(results.map((r: { status: string }) => r.status), ['applied', 'rejected', 'unmatched', 'duplicate']);
  assert.deepEqual(results[1].error, { code: 'invalid_amount', message: results[1].error.message, field: 'total_amount' });
  const unmatched = await t.app.inject({ url: '/v1/payments/unmatched', headers: asOps });
  assert.deepEqual(unmatched.json().data.map((p: { tradeNo: string }) => p.tradeNo), ['B3']);
  const anonymous = await t.app.inject({ method: 'POST', url: '/v1/payments:batch', payload: batch });
  assert.equal(anonymous.statusCode, 401);
  const tooMany = await t.app.inject({ method: 'POST', url: '/v1/payments:batch', headers: asPlatform, payload: Array.from({ length: 10_001 }, (_, i) => fields(`X${i}`)) });
  assert.equal(tooMany.statusCode, 400);
});

test('the merchant collects its credit; signals and rulesets are visible to operators', async () => {
  const collect = await t.app.inject({ method: 'POST', url: `/v1/merchants/${m.id}/credits:collect`, headers: asPlatform });
  assert.equal(collect.statusCode, 200);
  // the payments of 20 Nov are past their 48-hour window on the 23rd: they lapse instead of being collected
  assert.equal(collect.json().collectedFen, 0);
  // a payment made just now can be collected
  assert.equal((await notify(signed(fields('W-now', { buyer_id: payerWallet(7), gmt_payment: '2026-11-23 09:30:00', notify_time: '2026-11-23 09:30:02' })))).body, 'success');
  const collectNow = await t.app.inject({ method: 'POST', url: `/v1/merchants/${m.id}/credits:collect`, headers: asPlatform });
  assert.equal(collectNow.json().collectedFen, 200);
  assert.equal(collectNow.json().balance.availableFen, 200);
  const missing = await t.app.inject({ method: 'POST', url: '/v1/merchants/999999/credits:collect', headers: asPlatform });
  assert.equal(missing.statusCode, 404);
  const signals = await t.app.inject({ url: `/v1/merchants/${m.id}/signals`, headers: asOps });
  assert.equal(signals.statusCode, 200);
  const rulesets = await t.app.inject({ url: '/v1/rulesets', headers: asOps });
  assert.equal(rulesets.json().data[0].name, 'classic-2019');
  const next = { ...rulesets.json().data[0].rules, creditPerPayerFen: 300 };
  const published = await t.app.inject({ method: 'POST', url: '/v1/rulesets', headers: asOps, payload: { name: 'classic-2019', effectiveFrom: '2099-01-01T00:00:00+08:00', params: next } });
  assert.equal(published.statusCode, 201);
  assert.equal(published.json().version, 2);
  const past = await t.app.inject({ method: 'POST', url: '/v1/rulesets', headers: asOps, payload: { name: 'classic-2019', effectiveFrom: '2020-01-01T00:00:00Z', params: next } });
  assert.equal(past.statusCode, 400);
  assert.equal(past.json().error.field, 'effectiveFrom');
  const bad = await t.app.inject({ method: 'POST', url: '/v1/rulesets', headers: asOps, payload: { name: 'x-2', effectiveFrom: '2099-01-01T00:00:00Z', params: { ...next, payersPerDay: -1 } } });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().error.field, 'params.payersPerDay');
});
