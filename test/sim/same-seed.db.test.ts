/**
 * The same seed, the same report, whatever order concurrent batches commit in. Payments go in small
 * batches (1,500 notifications), two in flight, so that a payer's payments to different merchants are decided in batches
 * racing each other: a signal that depends on which of them commits first shows up as two reports.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { simulateWorld } from '../../sim/run/simulate.ts';
import { buildReport, seededFigures, type SimReport } from '../../sim/report/metrics.ts';
import type { World } from '../../sim/world/world.ts';
import { freshTestWorld, type TestWorld } from '../support/simulation.ts';

/** Popular payers meet dozens of merchants a day here: the fan-out signal fires on honest payers too. */
const WORLD: World = { merchants: 2_000, days: 2, city: '广州', ruleset: 'classic-2019', fraudRate: 0.02, seed: 7, claimRate: 0, start: '2026-03-02' };
const BATCH_NOTIFICATIONS = 1500;

const worlds: TestWorld[] = [];

async function freshRun(): Promise<SimReport> {
  const world = await freshTestWorld(WORLD);
  worlds.push(world);
  await simulateWorld(world.db.pool, WORLD, { ...world.env, batchNotifications: BATCH_NOTIFICATIONS });
  return buildReport(world.db.pool, WORLD);
}

after(async () => {
  for (const w of worlds) await w.close();
});

test('two runs of the same seed on fresh databases give the same report, figure for figure', async () => {
  const first = await freshRun();
  const second = await freshRun();
  assert.ok(first.fraud.legitFlagged > 0, 'honest payments are flagged too: the signals have something to disagree on');
  const lapse = first.reminders.find((o) => o.kind === 'lapse')!;
  assert.ok(lapse.messages > 0 && lapse.savedFen > 0 && lapse.savedFen <= lapse.remindedFen, 'reminders went out before credit lapsed, and some of it was then collected');
  assert.deepEqual(seededFigures(second), seededFigures(first));
});
