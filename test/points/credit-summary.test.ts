import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertError, signInApi, TestClock } from '../auth/support.ts';
import { asOps, createTestApp, type TestApp } from '../support/app.ts';
import { earnAndCollect } from '../support/credit.ts';
import { enrolment, enrolMerchants } from '../support/fixtures.ts';

const clock = new TestClock();
let t: TestApp;
before(async () => {
  t = await createTestApp({ now: clock.now });
});
after(async () => t.close());

test("the credit summary shows a merchant its own credit and answers 404 for another merchant's id", async () => {
  const [a, b] = await enrolMerchants(t.db.pool, 2);
  await earnAndCollect(t.db.pool, { id: a!.id, walletUserId: enrolment(1).walletUserId }, 4, new Date(clock.now().getTime() - 86_400_000));
  const session = await signInApi(t, clock, enrolment(1).phone);
  const own = await t.app.inject({ method: 'GET', url: `/v1/merchants/${a!.id}/credit-summary`, headers: { authorization: `Bearer ${session.token}` } });
  assert.equal(own.statusCode, 200, own.body);
  assert.equal(own.json().availableFen, 1_000, '4 payers × 200 fen + the welcome credit');
  assert.deepEqual(own.json().waiting, { amountFen: 0, lots: 0, collectBy: null });
  const other = await t.app.inject({ method: 'GET', url: `/v1/merchants/${b!.id}/credit-summary`, headers: { authorization: `Bearer ${session.token}` } });
  assertError(other, 404, 'merchant_not_found', 'id');
  const staff = await t.app.inject({ method: 'GET', url: `/v1/merchants/${b!.id}/credit-summary`, headers: asOps });
  assert.equal(staff.statusCode, 200);
});
