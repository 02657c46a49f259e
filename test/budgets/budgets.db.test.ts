/**
 * City budgets on the real ingestion path and the real API: a budget is set once per city and month
 * (with an Idempotency-Key), accrual honours it (a credit that does not fit earns nothing, credit
 * held is kept), concurrent batches of one city never pass it, operators are alerted once at each
 * threshold, and the liability rollup equals the merchants' balances. The books stay whole.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { refreshLiability } from '../../src/budgets/index.ts';
import { merchantBalance } from '../../src/ledger/index.ts';
import { ingestPayments } from '../../src/payments/ingest.ts';
import { asOps, createTestApp, type TestApp } from '../support/app.ts';
import { assertLotsMatchLedger } from '../support/credit-invariants.ts';
import { enrolMerchants, type TestMerchant } from '../support/fixtures.ts';
import { assertLedgerInvariants } from '../support/ledger-invariants.ts';
import { notification, payerWallet } from '../support/payments.ts';

const NOW = new Date('2030-05-10T12:00:00+08:00');
let t: TestApp;
let merchants: TestMerchant[];
before(async () => {
  t = await createTestApp({ now: () => NOW });
  merchants = await enrolMerchants(t.db.pool, 6, 9_001);
  // the last merchant is of another city
  await t.db.pool.query("UPDATE merchants SET city = '上海' WHERE merchant_id = $1", [merchants[5]!.id]);
});
after(async () => t.close());

const shanghai = (local: string) => new Date(`${local}+08:00`);
const setBudget = (body: Record<string, unknown>, key?: string) =>
  t.app.inject({ method: 'POST', url: '/v1/budgets', headers: { ...asOps, ...(key ? { 'idempotency-key': key } : {}) }, payload: body });
const pay = (m: TestMerchant, tradeNo: string, payer: number, at: string) => notification({ tradeNo, sellerId: m.walletUserId, buyerId: payerWallet(payer), gmtPayment: shanghai(at) });

/** What ingestion answered for each trade: its outcome and the credit it earned. */
const outcomes = (results: Awaited<ReturnType<typeof ingestPayments>>) => results.map((r) => [r.tradeNo, r.outcome, r.creditFen + r.welcomeFen]);

async function budgetAlerts() {
  const { rows } = await t.db.pool.query<{ subject: string }>("SELECT subject FROM operator_alerts WHERE kind = 'city_budget_threshold' ORDER BY alert_id");
  return rows.map((r) => r.subject);
}

test('a budget is set once per city and month: the same key replays it, another key is refused, a month that is over and a bad month are refused with their codes', async () => {
  const body = { city: '杭州', period: '2030-05', limitFen: 1_000 };
  const created = await setBudget(body, 'budget-hz-05');
  assert.equal(created.statusCode, 201, created.body);
  assert.deepEqual({ ...(created.json() as object), id: undefined, createdAt: undefined, createdBy: undefined }, {
    id: undefined, object: 'city_budget', city: '杭州', period: '2030-05', limitFen: 1_000, grantedFen: 0, alertPercents: [80, 100], reachedAt: null, alerts: [], createdAt: undefined, createdBy: undefined,
  });
  assert.match(created.json().createdBy, /^ops:/);
  const replay = await setBudget(body, 'budget-hz-05');
  assert.equal(replay.headers['idempotent-replayed'], 'true');
  assert.equal(replay.json().id, created.json().id);
  const twice = await setBudget(body, 'another-key');
  assert.deepEqual([twice.statusCode, twice.json().error.code], [409, 'budget_exists']);
  const over = await setBudget({ ...body, period: '2030-04' });
  assert.deepEqual([over.statusCode, over.json().error.code], [422, 'budget_period_over']);
  const bad = await setBudget({ ...body, period: '2030-13' });
  assert.equal(bad.statusCode, 400);
  const noPercent = await setBudget({ ...body, period: '2030-06', alertPercents: [0] });
  assert.equal(noPercent.statusCode, 400);
});

test('accrual honours the budget: credit that does not fit earns nothing (budget_reached), other cities and other months earn, credit held is kept; alerts once at 80 % and 100 %', async () => {
  const [a, b] = merchants as [TestMerchant, TestMerchant];
  const other = merchants[5]!;
  // a: welcome 200 + 200 (400), then 200, 200, 200: 1,000 reached exactly; the fifth payer earns nothing
  const first = await ingestPayments(t.db.pool, [1, 2].map((i) => pay(a, `B-A${i}`, 100 + i, `2030-05-10T09:0${i}:00`)));
  assert.deepEqual(await budgetAlerts(), [], '600 of 1,000');
  const third = await ingestPayments(t.db.pool, [pay(a, 'B-A3', 103, '2030-05-10T09:03:00')]);
  assert.equal((await budgetAlerts()).length, 1, '800 of 1,000 is 80 %');
  const last = await ingestPayments(t.db.pool, [4, 5].map((i) => pay(a, `B-A${i}`, 100 + i, `2030-05-10T09:0${i}:00`)));
  assert.deepEqual(outcomes([...first, ...third, ...last]), [
    ['B-A1', 'credited', 400],
    ['B-A2', 'credited', 200],
    ['B-A3', 'credited', 200],
    ['B-A4', 'credited', 200],
    ['B-A5', 'budget_reached', 0],
  ]);
  // b, a newcomer of the same city: not even the welcome credit; the other city and next month earn
  const later = await ingestPayments(t.db.pool, [pay(b, 'B-B1', 201, '2030-05-10T10:00:00'), pay(other, 'B-S1', 301, '2030-05-10T10:00:00'), pay(a, 'B-A6', 106, '2030-06-01T10:00:00')]);
  assert.deepEqual(outcomes(later), [
    ['B-B1', 'budget_reached', 0],
    ['B-S1', 'credited', 400],
    ['B-A6', 'credited', 200],
  ]);
  const budget = (await t.app.inject({ method: 'GET', url: '/v1/budgets', headers: asOps })).json().data[0];
  assert.equal(budget.grantedFen, 1_000);
  assert.ok(budget.reachedAt, 'reached');
  assert.deepEqual(budget.alerts.map((x: { percent: number }) => x.percent), [80, 100]);
  // the day's payers are not taken by a paused payment: B-A5's payer earns when credit resumes
  assert.equal((await t.db.pool.query<{ n: number }>("SELECT cardinality(payer_ids) AS n FROM merchant_days WHERE merchant_id = $1 AND business_day = '2030-05-10'", [a.id])).rows[0]!.n, 4);
  // a replayed batch changes nothing and alerts nothing again
  const replayed = await ingestPayments(t.db.pool, [5, 4].map((i) => pay(a, `B-A${i}`, 100 + i, `2030-05-10T09:0${i}:00`)));
  assert.deepEqual(replayed.map((r) => [r.tradeNo, r.status, r.outcome]), [['B-A5', 'applied', 'budget_reached'], ['B-A4', 'duplicate', 'credited']]);
  assert.equal((await budgetAlerts()).length, 2);
  assert.equal((await merchantBalance(t.db.pool, a.id))!.pendingFen, 1_200, 'the credit held is kept (May 1,000 + June 200)');
  await assertLedgerInvariants(t.db.pool);
  await assertLotsMatchLedger(t.db.pool);
});

test('concurrent batches of one city never pass its budget, and what the budget counts is what was granted', async () => {
  assert.equal((await setBudget({ city: '杭州', period: '2030-07', limitFen: 1_100, alertPercents: [50] })).statusCode, 201);
  const batch = (m: TestMerchant, n: number) => Array.from({ length: 5 }, (_, i) => pay(m, `B-C${n}-${i}`, 400 + n * 10 + i, `2030-07-02T09:0${i}:00`));
  const results = (await Promise.all([2, 3, 4].map((n) => ingestPayments(t.db.pool, batch(merchants[n - 1]!, n))))).flat();
  const { rows } = await t.db.pool.query<{ granted: number }>("SELECT sum(credit_fen + welcome_fen)::int AS granted FROM payments WHERE trade_no LIKE 'B-C%'");
  const budget = (await t.db.pool.query<{ granted_fen: number }>("SELECT granted_fen FROM city_budgets WHERE period = '2030-07'")).rows[0]!;
  assert.equal(budget.granted_fen, rows[0]!.granted);
  assert.equal(budget.granted_fen, results.reduce((sum, r) => sum + r.creditFen + r.welcomeFen, 0));
  // 1,200 asked by each batch: the first in takes 1,000 and stops at the 1,200th fen; the next ones take 100 only if a small credit fits (none here)
  assert.equal(budget.granted_fen, 1_000, `granted ${budget.granted_fen}: one batch's credit up to the limit, then nothing`);
  assert.deepEqual(new Set(results.map((r) => r.outcome)), new Set(['credited', 'budget_reached']));
  assert.equal((await budgetAlerts()).filter((s) => s.endsWith(':50')).length, 1, 'the 50 % alert once, whichever batch crossed it');
  await assertLedgerInvariants(t.db.pool);
  await assertLotsMatchLedger(t.db.pool);
});

test("the liability rollup equals the merchants' balances by city; the API gives the day, the cities, the expected cost and the forecast", async () => {
  assert.ok((await refreshLiability(t.db.pool, '2030-05-10', NOW)) >= 2);
  const balances = await Promise.all(merchants.map((m) => merchantBalance(t.db.pool, m.id)));
  const hangzhou = balances.slice(0, 5).reduce((sum, b) => sum + b!.pendingFen + b!.availableFen + b!.reservedFen, 0);
  const res = await t.app.inject({ method: 'GET', url: '/v1/liability?days=7&horizon=3', headers: asOps });
  assert.equal(res.statusCode, 200, res.body);
  const report = res.json();
  const city = (name: string) => report.cities.find((c: { city: string }) => c.city === name);
  assert.equal(city('杭州').outstandingFen, hangzhou);
  assert.equal(city('上海').pendingFen, 400);
  assert.equal(report.days.length, 1);
  assert.equal(report.days[0].grantedFen, 1_000 + 400, "the day's credit granted: 杭州's May budget and 上海's payer");
  assert.equal(report.claimRatio, 0, 'nothing claimed yet: the credit is expected to cost nothing');
  assert.equal(report.days[0].expectedCostFen, 0);
  assert.deepEqual(report.forecast.map((f: { day: string }) => f.day), ['2030-05-11', '2030-05-12', '2030-05-13']);
  assert.equal(report.forecast[0].outstandingFen, report.days[0].outstandingFen + 1_400, "one day on: the window's net daily flow added");
  const analyst = await t.app.inject({ method: 'GET', url: '/v1/liability?days=0', headers: asOps });
  assert.equal(analyst.statusCode, 400);
});
