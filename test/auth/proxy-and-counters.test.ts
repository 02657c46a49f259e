/**
 * One client must not lock others out (issue 21, Medium 6): behind a trusted proxy each client is
 * counted by its own address; staff password failures and merchant code failures are counted apart;
 * strangers spending a phone's daily codes do not keep its merchant from signing in.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { addStaffUser } from '../../src/auth/staff.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { enrolMerchants } from '../support/fixtures.ts';
import { freshAddress, phoneOf, requestCode, sentCode, TestClock } from './support.ts';

const PROXY = '10.250.0.1';
const clock = new TestClock();
let t: TestApp;
before(async () => {
  t = await createTestApp({ now: clock.now, trustedProxies: [PROXY] });
  await enrolMerchants(t.db.pool, 1, 4001);
  await addStaffUser(t.db.pool, { username: 'admin-4001', displayName: 'Admin', role: 'admin', password: 'a long enough password' });
});
after(async () => t.close());

const viaProxy = (phone: string, client: string) => t.app.inject({ method: 'POST', url: '/v1/auth/otp', payload: { phone }, remoteAddress: PROXY, headers: { 'x-forwarded-for': client } });

test('behind the trusted proxy each client has its own limit; from anyone else X-Forwarded-For is not believed', async () => {
  clock.advance(3_700_000);
  for (let i = 0; i < 20; i++) assert.equal((await viaProxy(`1371000${String(i).padStart(4, '0')}`, '203.0.113.7')).statusCode, 202);
  assert.equal((await viaProxy('13710009999', '203.0.113.7')).statusCode, 429, 'the client that spent its twenty is refused');
  assert.equal((await viaProxy('13710009998', '203.0.113.8')).statusCode, 202, 'another client behind the same proxy is not');
  // a client that is not the proxy cannot choose its address by sending the header
  const direct = freshAddress();
  const spoofed = await Promise.all(Array.from({ length: 21 }, (_, i) => t.app.inject({ method: 'POST', url: '/v1/auth/otp', payload: { phone: `1372000${String(i).padStart(4, '0')}` }, remoteAddress: direct, headers: { 'x-forwarded-for': `198.51.100.${i + 1}` } })));
  assert.equal(spoofed.filter((r) => r.statusCode === 429).length, 1);
});

test("merchant code failures do not lock out staff passwords from the same address", async () => {
  const address = freshAddress();
  for (let i = 0; i < 50; i++) await t.app.inject({ method: 'POST', url: '/v1/auth/sessions', payload: { phone: '13500000001', code: '000000', client: 'api' }, remoteAddress: address });
  const refused = await t.app.inject({ method: 'POST', url: '/v1/auth/sessions', payload: { phone: '13500000001', code: '000000', client: 'api' }, remoteAddress: address });
  assert.equal(refused.statusCode, 429, 'merchant failures are limited');
  const staff = await t.app.inject({ method: 'POST', url: '/v1/staff/sessions', payload: { username: 'admin-4001', password: 'a long enough password' }, remoteAddress: address });
  assert.equal(staff.statusCode, 201, staff.body);
});

test("strangers spending a phone's ten codes of the day do not keep its merchant, at an address it signed in from, from a code", async () => {
  const phone = phoneOf(4001);
  const home = freshAddress();
  clock.advance(61_000);
  assert.equal((await requestCode(t, phone, home)).statusCode, 202);
  const signedIn = await t.app.inject({ method: 'POST', url: '/v1/auth/sessions', payload: { phone, code: await sentCode(t, phone), client: 'api' }, remoteAddress: home });
  assert.equal(signedIn.statusCode, 201, signedIn.body);
  // its first code, asked before it had ever signed in there, was the first of the shared ten
  for (let i = 0; i < 9; i++) {
    clock.advance(61_000);
    assert.equal((await requestCode(t, phone, freshAddress())).statusCode, 202);
  }
  clock.advance(61_000);
  assert.equal((await requestCode(t, phone, freshAddress())).statusCode, 429, "the phone's shared budget is spent");
  assert.equal((await requestCode(t, phone, home)).statusCode, 202, 'its merchant still gets a code where it signs in');
});
