import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertError, signInApi, TestClock } from '../auth/support.ts';
import { asOps, asPlatform, createTestApp, type TestApp } from '../support/app.ts';
import { earnAndCollect } from '../support/credit.ts';
import { assertLotsMatchLedger } from '../support/credit-invariants.ts';
import { enrolment, enrolMerchants } from '../support/fixtures.ts';

const clock = new TestClock();
let t: TestApp;
before(async () => {
  t = await createTestApp({ now: clock.now });
});
after(async () => t.close());

const EYE_EXAM = { sku: 'eye-exam', nameZh: '视力检查', nameEn: 'Eye examination', priceFen: 300 };

async function addItem(body: Record<string, unknown>, key?: string) {
  return t.app.inject({ method: 'POST', url: '/v1/catalogue/items', headers: { ...asOps, ...(key ? { 'idempotency-key': key } : {}) }, payload: body });
}

test('staff manage items (audited); merchants see what is offered and spend credit on it, once per Idempotency-Key', async () => {
  const [a, b] = await enrolMerchants(t.db.pool, 2, 11);
  await earnAndCollect(t.db.pool, { id: a!.id, walletUserId: enrolment(11).walletUserId }, 4, new Date(clock.now().getTime() - 86_400_000)); // 1,000 fen
  const created = await addItem(EYE_EXAM, 'item-1');
  assert.equal(created.statusCode, 201, created.body);
  assert.deepEqual((await addItem(EYE_EXAM, 'item-1')).json(), created.json(), 'the same key replays');
  assertError(await addItem(EYE_EXAM), 409, 'sku_taken', 'sku');
  assertError(await addItem({ ...EYE_EXAM, sku: 'x-ray', priceFen: 0 }), 400, 'invalid_field', 'priceFen');
  assertError(await t.app.inject({ method: 'POST', url: '/v1/catalogue/items', headers: asPlatform, payload: EYE_EXAM }), 403, 'forbidden');
  const hidden = (await addItem({ sku: 'massage', nameZh: '推拿', nameEn: 'Massage', priceFen: 500, active: false })).json();
  const item = created.json();

  const session = await signInApi(t, clock, enrolment(11).phone);
  const asMerchant = { authorization: `Bearer ${session.token}` };
  const offered = await t.app.inject({ method: 'GET', url: '/v1/catalogue/items?includeInactive=true', headers: asMerchant });
  assert.deepEqual(offered.json().data.map((i: { sku: string }) => i.sku), ['eye-exam'], 'merchants see only what is offered');
  const all = await t.app.inject({ method: 'GET', url: '/v1/catalogue/items?includeInactive=true', headers: asOps });
  assert.deepEqual(all.json().data.map((i: { sku: string }) => i.sku), ['eye-exam', 'massage']);

  const order = (key: string, body: Record<string, unknown>, merchantId = a!.id) =>
    t.app.inject({ method: 'POST', url: `/v1/merchants/${merchantId}/catalogue-orders`, headers: { ...asMerchant, 'idempotency-key': key }, payload: body });
  const first = await order('o-1', { itemId: item.id, quantity: 2 });
  assert.equal(first.statusCode, 201, first.body);
  assert.equal(first.json().amountFen, 600);
  const replay = await order('o-1', { itemId: item.id, quantity: 2 });
  assert.equal(replay.headers['idempotent-replayed'], 'true');
  assert.equal(replay.json().id, first.json().id);
  const balance = await t.app.inject({ method: 'GET', url: `/v1/merchants/${a!.id}/balance`, headers: asMerchant });
  assert.equal(balance.json().availableFen, 400, '1,000 − 600, spent once');
  assertError(await order('o-2', { itemId: item.id, quantity: 2 }), 422, 'insufficient_credit', 'quantity');
  assertError(await order('o-3', { itemId: hidden.id }), 409, 'item_unavailable', 'itemId');
  assertError(await order('o-4', { itemId: '999999' }), 404, 'item_not_found', 'itemId');
  assertError(await order('o-5', { itemId: item.id, quantity: 11 }), 400, 'invalid_field', 'quantity');
  assertError(await order('o-6', { itemId: item.id }, b!.id), 404, 'merchant_not_found', 'id');
  clock.advance(1_000);
  assert.equal((await order('o-7', { itemId: item.id })).statusCode, 201);

  const transfers = await t.app.inject({ method: 'GET', url: `/v1/merchants/${a!.id}/transfers`, headers: asMerchant });
  assert.deepEqual(transfers.json().data.filter((x: { code: string }) => x.code === 'redeem').map((x: { amountFen: number }) => x.amountFen).sort(), [300, 600]);
  await assertLotsMatchLedger(t.db.pool);

  const page1 = await t.app.inject({ method: 'GET', url: `/v1/merchants/${a!.id}/catalogue-orders?limit=1`, headers: asMerchant });
  assert.equal(page1.json().data[0].amountFen, 300, 'newest first');
  assert.equal(page1.json().hasMore, true);
  const page2 = await t.app.inject({ method: 'GET', url: `/v1/merchants/${a!.id}/catalogue-orders?limit=1&cursor=${page1.json().nextCursor}`, headers: asMerchant });
  assert.deepEqual([page2.json().data[0].id, page2.json().hasMore], [first.json().id, false]);
  assertError(await t.app.inject({ method: 'GET', url: `/v1/merchants/${b!.id}/catalogue-orders`, headers: asMerchant }), 404, 'merchant_not_found');
  assertError(await t.app.inject({ method: 'GET', url: `/v1/merchants/${b!.id}/catalogue-orders/${first.json().id}`, headers: asMerchant }), 404, 'order_not_found', 'orderId');
  assertError(await t.app.inject({ method: 'GET', url: `/v1/merchants/${a!.id}/catalogue-orders?cursor=bm9wZQ`, headers: asMerchant }), 400, 'invalid_cursor');

  const patched = await t.app.inject({ method: 'PATCH', url: `/v1/catalogue/items/${item.id}`, headers: asOps, payload: { priceFen: 350, active: false } });
  assert.equal(patched.statusCode, 200, patched.body);
  assert.equal(patched.json().priceFen, 350);
  assertError(await t.app.inject({ method: 'PATCH', url: `/v1/catalogue/items/${item.id}`, headers: asOps, payload: {} }), 400, 'invalid_field');
  assertError(await t.app.inject({ method: 'PATCH', url: '/v1/catalogue/items/424242', headers: asOps, payload: { active: true } }), 404, 'item_not_found');
  const kept = await t.app.inject({ method: 'GET', url: `/v1/merchants/${a!.id}/catalogue-orders/${first.json().id}`, headers: asOps });
  assert.equal(kept.json().unitPriceFen, 300, 'an order keeps the price it was placed at');
  const { rows } = await t.db.pool.query<{ action: string; actor_kind: string }>(
    "SELECT action, actor_kind FROM audit_log WHERE action LIKE 'catalogue.%' ORDER BY audit_id",
  );
  assert.deepEqual(
    rows.map((r) => `${r.actor_kind} ${r.action}`),
    ['staff catalogue.add_item', 'staff catalogue.add_item', 'merchant catalogue.order', 'merchant catalogue.order', 'staff catalogue.change_item'],
  );
});

test('concurrent orders from one merchant spend exactly what the credit allows, never more', async () => {
  const [m] = await enrolMerchants(t.db.pool, 1, 21);
  await earnAndCollect(t.db.pool, { id: m!.id, walletUserId: enrolment(21).walletUserId }, 4, new Date(clock.now().getTime() - 86_400_000)); // 1,000 fen
  const item = (await addItem({ sku: 'vision-test', nameZh: '验光', nameEn: 'Vision test', priceFen: 300 }, 'item-concurrent')).json();
  const session = await signInApi(t, clock, enrolment(21).phone);
  const headers = { authorization: `Bearer ${session.token}` };
  // eight orders at once, each with its own key: 1,000 fen pays for three of 300
  const answers = await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      t.app.inject({ method: 'POST', url: `/v1/merchants/${m!.id}/catalogue-orders`, headers: { ...headers, 'idempotency-key': `race-${i}` }, payload: { itemId: item.id } }),
    ),
  );
  const statuses = answers.map((a) => a.statusCode).sort();
  assert.deepEqual(statuses, [201, 201, 201, 422, 422, 422, 422, 422], answers.map((a) => a.body).join('\n'));
  for (const refused of answers.filter((a) => a.statusCode === 422)) assert.equal(refused.json().error.code, 'insufficient_credit');
  const balance = (await t.app.inject({ method: 'GET', url: `/v1/merchants/${m!.id}/balance`, headers })).json();
  assert.equal(balance.availableFen, 100, '1,000 − 3 × 300');
  const { rows } = await t.db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM ledger_transfers WHERE code = 'redeem' AND merchant_id = $1", [m!.id]);
  assert.equal(rows[0]!.n, 3, 'one transfer per accepted order');
  await assertLotsMatchLedger(t.db.pool);
});
