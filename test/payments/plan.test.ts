/** planIngest without a database: a hand-built snapshot in, what to write out. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MerchantAccrualContext, TradeState } from '../../src/payments/accrual.ts';
import { planIngest, type IngestSnapshot } from '../../src/payments/plan.ts';
import { CLASSIC_2019, type RulesetVersion } from '../../src/points/accrual-rules.ts';
import { notification } from '../support/payments.ts';

const SELLER = '2088000000000001';
const OTHER_SELLER = '2088000000000002';
const VERSIONS: RulesetVersion[] = [{ id: 1, name: 'classic-2019', version: 1, effectiveFrom: new Date('2018-01-01T00:00:00+08:00'), adopted: true, rules: CLASSIC_2019 }];
const PAID = new Date('2026-03-02T02:00:00Z'); // 10:00 in Shanghai, business day 2026-03-02

function snapshot(overrides: Partial<IngestSnapshot> = {}): IngestSnapshot {
  const ctx: MerchantAccrualContext = { merchantId: 7, walletUserId: SELLER, welcomed: false, dayPayers: new Map() };
  return {
    versions: VERSIONS,
    merchantByWallet: new Map([[SELLER, 7]]),
    trades: new Map(),
    contexts: new Map([[7, ctx]]),
    payerMerchants: new Map(),
    cityOf: new Map([[7, '广州']]),
    budgets: new Map(),
    now: new Date('2026-03-02T03:00:00Z'),
    retainedFrom: '2025-01-01',
    ...overrides,
  };
}

const pay = (tradeNo: string, buyerId: string, extra: Parameters<typeof notification>[0] extends infer T ? Partial<T> : never = {}) =>
  notification({ tradeNo, sellerId: SELLER, buyerId, gmtPayment: PAID, ...extra });

test('a first payer earns the payer credit and the welcome; a repeat payer earns nothing and is not kept; the day is written', () => {
  const plan = planIngest([pay('A', 'p1'), pay('B', 'p1'), pay('C', 'p2')], snapshot());
  assert.deepEqual(plan.results.map((r) => [r.tradeNo, r.status, r.outcome, r.creditFen, r.welcomeFen]), [
    ['A', 'applied', 'credited', 200, 200],
    ['B', 'applied', 'repeat_payer', 0, 0],
    ['C', 'applied', 'credited', 200, 0],
  ]);
  assert.deepEqual(plan.earns.map((e) => [e.trade.tradeNo, e.lot, e.amountFen]), [
    ['A', 'payer', 200],
    ['A', 'welcome', 200],
    ['C', 'payer', 200],
  ]);
  assert.deepEqual(plan.changedTrades.map((t) => t.tradeNo), ['A', 'C'], 'the repeat payer is decided again identically: nothing to keep');
  assert.deepEqual([...plan.changedDays], ['7|2026-03-02']);
  assert.deepEqual([...plan.changedPayerDays].sort(), ['p1|2026-03-02', 'p2|2026-03-02']);
  assert.deepEqual(plan.welcomed, [{ merchantId: 7, tradeNo: 'A' }]);
});

test('a late notification: the collection window starts at notify_time; an unknown payee is unmatched and kept', () => {
  const late = new Date('2026-03-03T12:00:00Z');
  const plan = planIngest([pay('L', 'p3', { notifyTime: late }), notification({ tradeNo: 'U', sellerId: '2088999999999999', buyerId: 'p4', gmtPayment: PAID })], snapshot());
  assert.deepEqual(plan.earns.map((e) => e.visibleAt.toISOString()), [late.toISOString(), late.toISOString()]);
  assert.deepEqual(plan.results.map((r) => r.status), ['applied', 'unmatched']);
  assert.deepEqual(plan.changedTrades.map((t) => [t.tradeNo, t.merchantId]), [
    ['L', 7],
    ['U', null],
  ]);
});

test('a known trade keeps its first payee; a refund of it is a clawback; a repeat of the same state is a duplicate', () => {
  const stored: TradeState = {
    tradeNo: 'K', merchantId: 7, sellerId: SELLER, buyerId: 'p5', outTradeNo: null, totalFen: 1_000, refundedFen: 0, status: 'TRADE_SUCCESS', paidAt: PAID,
    businessDay: '2026-03-02', rulesetId: 1, outcome: 'credited', creditFen: 200, welcomeFen: 0, clawedBackFen: 0, signals: [], notifyId: null,
  };
  const plan = planIngest(
    [notification({ tradeNo: 'K', sellerId: OTHER_SELLER, buyerId: 'p5', gmtPayment: PAID }), notification({ tradeNo: 'K', sellerId: SELLER, buyerId: 'p5', gmtPayment: PAID, refundFeeFen: 1_000 })],
    snapshot({ trades: new Map([['K', stored]]) }),
  );
  assert.deepEqual(plan.results.map((r) => r.status), ['duplicate', 'applied']);
  assert.deepEqual(plan.clawbacks.map((c) => [c.trade.tradeNo, c.trade.merchantId, c.owedFen]), [['K', 7, 200]]);
  assert.equal(plan.earns.length, 0);
});

test('a trade paid before the kept history has no effect and is not stored; a known trade of that age is still judged', () => {
  const old = new Date('2024-12-31T15:59:59Z'); // 23:59:59 on 2024-12-31 in Shanghai, the day before the history kept
  const plan = planIngest([pay('OLD', 'p1', { gmtPayment: old }), pay('EDGE', 'p2', { gmtPayment: new Date('2024-12-31T16:00:00Z') })], snapshot());
  assert.deepEqual(
    plan.results.map((r) => [r.tradeNo, r.status, r.creditFen]),
    [
      ['OLD', 'beyond_history', 0],
      ['EDGE', 'applied', 200],
    ],
  );
  assert.deepEqual(plan.changedTrades.map((t) => t.tradeNo), ['EDGE']);
  assert.deepEqual(plan.earns.map((e) => [e.trade.tradeNo, e.lot]), [['EDGE', 'payer'], ['EDGE', 'welcome']]);
});

test('a payment before the kept history has no effect even when the batch saw its trade unpaid first', () => {
  const plan = planIngest(
    [
      pay('LATE', 'p1', { tradeStatus: 'WAIT_BUYER_PAY', gmtPayment: null }),
      pay('LATE', 'p1', { gmtPayment: new Date('2024-06-01T02:00:00Z') }),
      notification({ tradeNo: 'U-UNPAID', sellerId: '2088999999999999', buyerId: 'p5', tradeStatus: 'WAIT_BUYER_PAY', gmtPayment: null }),
      notification({ tradeNo: 'U-PAID', sellerId: '2088999999999999', buyerId: 'p5', gmtPayment: PAID }),
    ],
    snapshot(),
  );
  assert.deepEqual(plan.results.map((r) => [r.tradeNo, r.status]), [['LATE', 'applied'], ['LATE', 'beyond_history'], ['U-UNPAID', 'unmatched'], ['U-PAID', 'unmatched']]);
  assert.deepEqual(plan.changedTrades.map((t) => [t.tradeNo, t.status]).sort(), [['LATE', 'WAIT_BUYER_PAY'], ['U-PAID', 'TRADE_SUCCESS'], ['U-UNPAID', 'WAIT_BUYER_PAY']]);
  assert.deepEqual(plan.earns, []);
});

test("a city's budget is taken from as credit is granted: a credit that does not fit earns nothing, takes no payer slot and is not kept; a small credit that fits still earns", () => {
  const room = { budgetId: 1, city: '广州', period: '2026-03', remainingFen: 601, refused: false };
  const plan = planIngest([pay('A', 'p1'), pay('B', 'p2'), pay('C', 'p3'), pay('D', 'p4', { totalAmountFen: 5 })], snapshot({ budgets: new Map([['广州|2026-03', room]]) }));
  // A: 200 + the welcome 200 (201 left); B: 200 (1 left); C: 200 does not fit; D: a 1-fen small payment fits
  assert.deepEqual(plan.results.map((r) => [r.tradeNo, r.outcome, r.creditFen + r.welcomeFen]), [
    ['A', 'credited', 400],
    ['B', 'credited', 200],
    ['C', 'budget_reached', 0],
    ['D', 'small_payment', 1],
  ]);
  assert.deepEqual([room.remainingFen, room.refused], [0, true]);
  assert.deepEqual(plan.changedTrades.map((t) => t.tradeNo), ['A', 'B', 'D']);
  const other = planIngest([pay('E', 'p1')], snapshot({ budgets: new Map([['杭州|2026-03', { ...room, city: '杭州', remainingFen: 0 }]]) }));
  assert.equal(other.results[0]!.outcome, 'credited', "another city's budget does not apply");
});
