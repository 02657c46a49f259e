/** The liability's arithmetic and the budget rules against numbers worked by hand. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { budgetPeriodOf, periodResumesOn, takeFromBudget, thresholdsReached, type BudgetRoom } from '../../src/budgets/budget-rules.ts';
import { claimRatio, expectedCostFen, forecastLiability, liabilityReport, type CityDay } from '../../src/budgets/liability.ts';
import { addDays } from '../../src/shared/business-day.ts';

const next = (day: string) => addDays(day, 1);
const AT = new Date('2030-01-01T00:00:00Z');
const row = (day: string, city: string, f: Partial<CityDay>): CityDay => ({ day, city, pendingFen: 0, availableFen: 0, reservedFen: 0, grantedFen: 0, claimedFen: 0, lostFen: 0, refreshedAt: AT, ...f });

test('the claim ratio is claimed over granted across the window; nothing granted: no ratio', () => {
  assert.equal(claimRatio([{ grantedFen: 10_000, claimedFen: 1_500 }, { grantedFen: 30_000, claimedFen: 4_500 }]), 0.15, '6,000 / 40,000');
  assert.equal(claimRatio([{ grantedFen: 0, claimedFen: 700 }]), null);
  assert.equal(claimRatio([{ grantedFen: 1_000, claimedFen: 1_200 }]), 1.2, 'credit granted before the window may be claimed in it');
});

test('the expected cost is the outstanding credit at the ratio, in whole fen', () => {
  assert.equal(expectedCostFen(123_457, 0.15), 18_519, '18,518.55 rounds to 18,519');
  assert.equal(expectedCostFen(5_000, null), null);
});

test("the forecast runs the window's mean net daily flow forward from the last day, never below zero", () => {
  // outstanding on the last day 10,000 + 5,000 + 1,000 = 16,000; flows: granted 9,000, claimed 3,000, lost 1,500 over 3 days:
  // net (9,000 − 3,000 − 1,500) / 3 = 1,500 a day; ratio 3,000 / 9,000 = 1/3
  const history = [
    row('2030-03-30', 'x', { grantedFen: 2_000, claimedFen: 1_000, lostFen: 500 }),
    row('2030-03-31', 'x', { grantedFen: 3_000, claimedFen: 1_000, lostFen: 500 }),
    row('2030-04-01', 'x', { pendingFen: 10_000, availableFen: 5_000, reservedFen: 1_000, grantedFen: 4_000, claimedFen: 1_000, lostFen: 500 }),
  ];
  assert.deepEqual(forecastLiability(history, 2, next), [
    { day: '2030-04-02', outstandingFen: 17_500, expectedCostFen: 5_833 },
    { day: '2030-04-03', outstandingFen: 19_000, expectedCostFen: 6_333 },
  ]);
  const shrinking = [row('2030-04-01', 'x', { availableFen: 1_000, grantedFen: 0, claimedFen: 600 })];
  assert.deepEqual(forecastLiability(shrinking, 2, next).map((f) => f.outstandingFen), [400, 0]);
  assert.deepEqual(forecastLiability([], 3, next), []);
});

test('the report sums cities by day, costs each city at its own ratio, largest outstanding first', () => {
  const report = liabilityReport(
    [
      row('2030-04-01', '广州', { availableFen: 4_000, grantedFen: 1_000, claimedFen: 500 }),
      row('2030-04-01', '杭州', { pendingFen: 6_000, grantedFen: 3_000, claimedFen: 300 }),
      row('2030-04-02', '杭州', { pendingFen: 7_000, grantedFen: 1_000, claimedFen: 100 }),
    ],
    1,
    next,
  );
  // all cities: claimed 900 over granted 5,000 = 0.18
  assert.equal(report.claimRatio, 0.18);
  assert.deepEqual(report.days.map((d) => [d.day, d.outstandingFen, d.expectedCostFen]), [['2030-04-01', 10_000, 1_800], ['2030-04-02', 7_000, 1_260]]);
  // 杭州 400 / 4,000 = 0.1 on 7,000; 广州 500 / 1,000 = 0.5 on 4,000 (its latest day)
  assert.deepEqual(report.cities.map((c) => [c.city, c.day, c.outstandingFen, c.expectedCostFen]), [['杭州', '2030-04-02', 7_000, 700], ['广州', '2030-04-01', 4_000, 2_000]]);
  // net per day (5,000 − 900) / 2 = 2,050 on 7,000; 9,050 × 0.18 = 1,629
  assert.deepEqual(report.forecast, [{ day: '2030-04-03', outstandingFen: 9_050, expectedCostFen: 1_629 }]);
});

test('a budget period is a month; the pause ends on the first of the next', () => {
  assert.equal(budgetPeriodOf('2030-12-31'), '2030-12');
  assert.equal(periodResumesOn('2030-12'), '2031-01-01');
  assert.equal(periodResumesOn('2030-02'), '2030-03-01');
});

test('a credit is taken from the room whole or not at all; a refusal marks the room reached', () => {
  const room: BudgetRoom = { budgetId: 1, city: '杭州', period: '2030-05', remainingFen: 500, refused: false };
  assert.equal(takeFromBudget(room, 400), true);
  assert.equal(takeFromBudget(room, 200), false);
  assert.deepEqual([room.remainingFen, room.refused], [100, true]);
  assert.equal(takeFromBudget(room, 1), true, 'a small credit that fits is still granted');
  assert.equal(takeFromBudget(undefined, 1_000_000), true, 'no budget: no limit');
});

test('thresholds are reached once, by integer arithmetic', () => {
  assert.deepEqual(thresholdsReached(0, 800, 1_000, [80, 100]), [80]);
  assert.deepEqual(thresholdsReached(800, 1_000, 1_000, [100, 80]), [100]);
  assert.deepEqual(thresholdsReached(0, 800, 1_001, [80]), [], '80 % of 1,001 is 800.8');
  assert.deepEqual(thresholdsReached(0, 801, 1_001, [80]), [80]);
  assert.deepEqual(thresholdsReached(700, 1_000, 1_000, [50, 80, 100]), [80, 100]);
});
