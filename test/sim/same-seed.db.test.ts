/**
 * The same seed, the same report, whatever order concurrent batches commit in. Payments go in small
 * batches, two in flight, so that a payer's payments to different merchants are decided in batches
 * racing each other; the two runs cut the batches differently, so that which payments race differs
 * every time, not only when the machine's load shifts a commit: a signal that depends on which
 * batch commits first shows up as two reports.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { simulateWorld } from '../../sim/run/simulate.ts';
import { buildReport, seededFigures, type SimReport } from '../../sim/report/metrics.ts';
import type { World } from '../../sim/world/world.ts';
import { freshTestWorld, type TestWorld } from '../support/simulation.ts';

/** Popular payers meet dozens of merchants a day here: the fan-out signal fires on honest payers too. */
const WORLD: World = { merchants: 2_000, days: 2, city: '广州', ruleset: 'classic-2019', fraudRate: 0.02, seed: 7, claimRate: 0, start: '2026-03-02' };

const worlds: TestWorld[] = [];

async function freshRun(batchNotifications: number): Promise<SimReport> {
  const world = await freshTestWorld(WORLD);
  worlds.push(world);
  await simulateWorld(world.db.pool, WORLD, { ...world.env, batchNotifications });
  return buildReport(world.db.pool, WORLD);
}

after(async () => {
  for (const w of worlds) await w.close();
});

test('two runs of the same seed on fresh databases give the same report, figure for figure', async () => {
  // other batch boundaries: other payments are decided in batches racing each other, every time
  const first = await freshRun(1_500);
  const second = await freshRun(700);
  assert.ok(first.fraud.legitFlagged > 0, 'honest payments are flagged too: the signals have something to disagree on');
  const lapse = first.reminders.find((o) => o.kind === 'lapse')!;
  assert.ok(lapse.messages > 0 && lapse.savedFen > 0 && lapse.savedFen <= lapse.remindedFen, 'reminders went out before credit lapsed, and some of it was then collected');
  assert.deepEqual(seededFigures(second), seededFigures(first));
});
