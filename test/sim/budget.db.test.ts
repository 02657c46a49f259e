/**
 * A simulated world with a city budget: accrual stops when the month's budget is reached, the books
 * stay whole, and the report is still the seed's: two runs cutting the payments into other batches
 * give the same figures (with a budget, batches go one at a time, so which payments take the last
 * room does not depend on which batch commits first).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { simulateWorld } from '../../sim/run/simulate.ts';
import { buildReport, seededFigures, type SimReport } from '../../sim/report/metrics.ts';
import type { World } from '../../sim/world/world.ts';
import { assertLotsMatchLedger } from '../support/credit-invariants.ts';
import { assertLedgerInvariants } from '../support/ledger-invariants.ts';
import { freshTestWorld, type TestWorld } from '../support/simulation.ts';

/** ¥1,500 for March: more than the first day grants, less than the two days would. */
const WORLD: World = { merchants: 120, days: 2, city: '广州', ruleset: 'classic-2019', fraudRate: 0.02, seed: 11, claimRate: 0, start: '2026-03-02', budgetFen: 150_000 };

const worlds: TestWorld[] = [];
after(async () => {
  for (const w of worlds) await w.close();
});

async function freshRun(batchNotifications: number): Promise<{ report: SimReport; world: TestWorld }> {
  const world = await freshTestWorld(WORLD);
  worlds.push(world);
  await simulateWorld(world.db.pool, WORLD, { ...world.env, batchNotifications });
  return { report: await buildReport(world.db.pool, WORLD), world };
}

test("a city budget stops accrual once reached, the books stay whole, and the report is the seed's", async () => {
  const first = await freshRun(300);
  const second = await freshRun(700);
  assert.deepEqual(seededFigures(second.report), seededFigures(first.report));
  const [budget] = first.report.liability.budgets;
  assert.deepEqual([budget?.city, budget?.period, budget?.limitFen, budget?.reached], ['广州', '2026-03', 150_000, true]);
  const granted = first.report.creditsFen.granted.reduce((a, b) => a + b, 0);
  assert.equal(budget!.grantedFen, granted, 'the budget counts the credit granted');
  assert.ok(granted <= 150_000 && granted > 150_000 - 400, `stopped only when a credit no longer fitted: ${granted}`);
  assert.ok(first.report.creditsFen.granted[0]! < 150_000, 'the first day earned in full');
  await assertLedgerInvariants(first.world.db.pool);
  await assertLotsMatchLedger(first.world.db.pool);
});
