import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from '../support/app.ts';
import { enrolMerchants, enrolment } from '../support/fixtures.ts';
import { assertError, freshAddress, phoneOf, requestCode, sentCode, TestClock } from './support.ts';

const clock = new TestClock();
let t: TestApp;
before(async () => {
  t = await createTestApp({ now: clock.now });
  await enrolMerchants(t.db.pool, 12, 1);
});
after(async () => t.close());

const session = (payload: object, remoteAddress = freshAddress()) => t.app.inject({ method: 'POST', url: '/v1/auth/sessions', payload, remoteAddress });

async function codeRow(phone: string) {
  const { rows } = await t.db.pool.query('SELECT * FROM auth_otp_codes WHERE phone = $1', [phone]);
  return rows[0] as { code_hash: string; failed_attempts: number; expires_at: Date } | undefined;
}

test('the whole flow: code by SMS → session → /v1/me → sign out → 401', async () => {
  const phone = phoneOf(1);
  const requested = await requestCode(t, phone);
  assert.equal(requested.statusCode, 202);
  assert.deepEqual(requested.json(), { object: 'otp_request', phone: '138****0001', expiresInSeconds: 300 });

  const code = await sentCode(t, phone);
  const dev = (await t.app.inject({ url: `/v1/dev/otp?phone=${phone}` })).json();
  assert.match(dev.text, new RegExp(`验证码是 ${code}`));
  const stored = await codeRow(phone);
  assert.ok(stored && !JSON.stringify(stored).includes(code), 'only a keyed hash of the code is stored');
  assert.match(stored.code_hash, /^[0-9a-f]{64}$/);

  const signedIn = await session({ phone, code, client: 'api' });
  assert.equal(signedIn.statusCode, 201);
  const body = signedIn.json();
  assert.equal(body.object, 'session');
  assert.equal(body.client, 'api');
  assert.equal(body.token.split('.')[0], body.merchantId, "the token names the session's merchant");
  assert.match(body.token, /^[0-9]+\.[A-Za-z0-9_-]{43}$/);
  assert.equal(body.expiresAt, new Date(clock.now().getTime() + 30 * 24 * 3600_000).toISOString());
  assert.equal(signedIn.headers['cache-control'], 'no-store');
  assert.equal(await codeRow(phone), undefined, 'a used code is gone');
  const { rows: sessions } = await t.db.pool.query('SELECT token_hash FROM auth_sessions WHERE merchant_id = $1', [Number(body.merchantId)]);
  assert.ok(!JSON.stringify(sessions).includes(body.token), 'only the token hash is stored');

  const auth = { authorization: `Bearer ${body.token}` };
  const me = await t.app.inject({ url: '/v1/me', headers: auth });
  assert.equal(me.statusCode, 200);
  assert.deepEqual(me.json(), {
    id: body.merchantId,
    object: 'merchant',
    walletUserId: enrolment(1).walletUserId,
    legalName: '商*1',
    phone: '138****0001',
    city: '杭州',
    enrolledAt: '2026-01-01T00:00:00.000Z',
    session: { client: 'api', expiresAt: body.expiresAt },
  });

  const reused = await session({ phone, code, client: 'api' });
  assertError(reused, 401, 'otp_expired', 'code');

  const out = await t.app.inject({ method: 'DELETE', url: '/v1/auth/session', headers: auth });
  assert.equal(out.statusCode, 204);
  assertError(await t.app.inject({ url: '/v1/me', headers: auth }), 401, 'unauthenticated', 'authorization');
  assertError(await t.app.inject({ method: 'DELETE', url: '/v1/auth/session', headers: auth }), 401, 'unauthenticated');
});

test('five wrong codes kill the code, even the right one after them; a new code starts afresh', async () => {
  const phone = phoneOf(2);
  clock.advance(61_000);
  await requestCode(t, phone);
  const code = await sentCode(t, phone);
  const wrong = code === '000000' ? '000001' : '000000';
  for (let i = 1; i <= 5; i++) {
    const res = await session({ phone, code: wrong, client: 'api' });
    assertError(res, 401, 'otp_invalid', 'code');
    assert.match(res.json().error.message, i < 5 ? new RegExp(`${5 - i} tr(y|ies) left`) : /last try/);
  }
  assertError(await session({ phone, code, client: 'api' }), 401, 'otp_attempts_exhausted', 'code');
  assert.equal((await codeRow(phone))?.failed_attempts, 5);

  clock.advance(61_000);
  assert.equal((await requestCode(t, phone)).statusCode, 202);
  const fresh = await sentCode(t, phone);
  assert.equal((await session({ phone, code: fresh, client: 'api' })).statusCode, 201);
});

test('concurrent guesses are counted one by one: never more than five', async () => {
  const phone = phoneOf(3);
  clock.advance(61_000);
  await requestCode(t, phone);
  const code = await sentCode(t, phone);
  const guesses = Array.from({ length: 12 }, (_, i) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0'));
  const answers = await Promise.all(guesses.map((g) => session({ phone, code: g, client: 'api' })));
  assert.equal(answers.filter((a) => a.json().error.code === 'otp_invalid').length, 5);
  assert.equal(answers.filter((a) => a.json().error.code === 'otp_attempts_exhausted').length, 7);
});

test('a code lives five minutes; a new code replaces the old one', async () => {
  const phone = phoneOf(4);
  clock.advance(61_000);
  await requestCode(t, phone);
  const first = await sentCode(t, phone);
  clock.advance(5 * 60_000);
  assertError(await session({ phone, code: first, client: 'api' }), 401, 'otp_expired', 'code');

  await requestCode(t, phone);
  const second = await sentCode(t, phone);
  clock.advance(61_000);
  await requestCode(t, phone);
  const third = await sentCode(t, phone);
  if (second !== third) assertError(await session({ phone, code: second, client: 'api' }), 401, 'otp_invalid', 'code');
  clock.advance(5 * 60_000 - 1_000);
  assert.equal((await session({ phone, code: third, client: 'api' })).statusCode, 201, 'still alive one second before its end');
});

test('a phone of no enrolled merchant gets the same answer, and no code is sent', async () => {
  const stranger = '13999999999';
  const enrolled = phoneOf(5);
  clock.advance(61_000);
  const a = await requestCode(t, stranger);
  const b = await requestCode(t, enrolled);
  assert.equal(a.statusCode, 202);
  assert.deepEqual(Object.keys(a.json()), Object.keys(b.json()));
  assert.equal(a.json().expiresInSeconds, b.json().expiresInSeconds);
  assertError(await t.app.inject({ url: `/v1/dev/otp?phone=${stranger}` }), 404, 'otp_not_found');
  // sign-in answers alike too: a wrong code, then the same exhaustion
  for (let i = 0; i < 5; i++) assertError(await session({ phone: stranger, code: '123456', client: 'api' }), 401, 'otp_invalid');
  assertError(await session({ phone: stranger, code: '123456', client: 'api' }), 401, 'otp_attempts_exhausted');
  // the per-phone limit applies alike
  const again = await requestCode(t, stranger);
  assertError(again, 429, 'rate_limited', 'phone');
  // a phone never asked for: the same answer as an expired code
  assertError(await session({ phone: '13911111111', code: '123456', client: 'api' }), 401, 'otp_expired');
});

test('per phone: one code a minute and ten a day, answered 429 with Retry-After', async () => {
  const phone = phoneOf(6);
  clock.advance(61_000);
  assert.equal((await requestCode(t, phone)).statusCode, 202);
  clock.advance(20_000);
  const early = await requestCode(t, phone);
  assertError(early, 429, 'rate_limited', 'phone');
  assert.equal(early.headers['retry-after'], '40');
  clock.advance(40_000);
  assert.equal((await requestCode(t, phone)).statusCode, 202, 'the minute is over');
  for (let i = 3; i <= 10; i++) {
    clock.advance(60_000);
    assert.equal((await requestCode(t, phone)).statusCode, 202, `code ${i} of the day`);
  }
  clock.advance(60_000);
  const eleventh = await requestCode(t, phone);
  assertError(eleventh, 429, 'rate_limited', 'phone');
  // the first code of the day was 10 minutes ago: the window reopens 24 h after it
  assert.equal(eleventh.headers['retry-after'], String(24 * 3600 - 10 * 60));
  clock.advance((24 * 3600 - 10 * 60) * 1000);
  assert.equal((await requestCode(t, phone)).statusCode, 202);
});

test('per address: twenty codes an hour, whatever the phones', async () => {
  const address = freshAddress();
  clock.advance(61_000);
  for (let i = 0; i < 20; i++) assert.equal((await requestCode(t, `1370000${String(i).padStart(4, '0')}`, address)).statusCode, 202);
  const refused = await requestCode(t, '13700009999', address);
  assertError(refused, 429, 'rate_limited');
  assert.equal(refused.json().error.field, undefined);
  assert.equal(refused.headers['retry-after'], '3600');
  assert.equal((await requestCode(t, '13700009999', freshAddress())).statusCode, 202, 'another address is not limited');
  // IPv6: one /64 is one address
  const v6 = await Promise.all(Array.from({ length: 21 }, (_, i) => requestCode(t, `1360000${String(i).padStart(4, '0')}`, `2001:db8:1:2::${(i + 1).toString(16)}`)));
  assert.equal(v6.filter((r) => r.statusCode === 429).length, 1);
  clock.advance(3600_000);
  assert.equal((await requestCode(t, '13700009998', address)).statusCode, 202, 'the hour is over');
});

test('failed sign-ins are limited per address', async () => {
  const address = freshAddress();
  for (let i = 0; i < 50; i++) assertError(await session({ phone: '13500000000', code: '000000', client: 'api' }, address), 401, 'otp_expired');
  const refused = await session({ phone: '13500000000', code: '000000', client: 'api' }, address);
  assertError(refused, 429, 'rate_limited');
  assert.equal(refused.headers['retry-after'], '3600');
});

test('a phone enrolled for two merchants signs in with the merchant it names', async () => {
  await enrolMerchants(t.db.pool, 1, 900);
  await t.db.pool.query('UPDATE merchants SET phone = $1 WHERE wallet_user_id = $2', [phoneOf(7), enrolment(900).walletUserId]);
  const { rows } = await t.db.pool.query<{ merchant_id: number }>('SELECT merchant_id FROM merchants WHERE phone = $1 ORDER BY merchant_id', [phoneOf(7)]);
  assert.equal(rows.length, 2);
  const phone = phoneOf(7);
  clock.advance(61_000);
  await requestCode(t, phone);
  const code = await sentCode(t, phone);
  const ambiguous = await session({ phone, code, client: 'api' });
  assertError(ambiguous, 409, 'merchant_choice_required', 'merchantId');
  assert.match(ambiguous.json().error.message, new RegExp(`${rows[0]!.merchant_id}, ${rows[1]!.merchant_id}`));
  assertError(await session({ phone, code, client: 'api', merchantId: '100999' }), 404, 'merchant_not_found', 'merchantId');
  const chosen = await session({ phone, code, client: 'api', merchantId: String(rows[1]!.merchant_id) });
  assert.equal(chosen.statusCode, 201);
  assert.equal(chosen.json().merchantId, String(rows[1]!.merchant_id));
});
