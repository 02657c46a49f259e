import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { silentProgress, type Progress } from '../../sim/run/progress.ts';
import { SimulationInterrupted } from '../../sim/run/context.ts';
import { simulateWorld } from '../../sim/run/simulate.ts';
import { renderReportHtml } from '../../sim/report/html.ts';
import { buildReport, seededFigures, type SimReport } from '../../sim/report/metrics.ts';
import type { World } from '../../sim/world/world.ts';
import { assertLotsMatchLedger } from '../support/credit-invariants.ts';
import { assertLedgerInvariants } from '../support/ledger-invariants.ts';
import { freshTestWorld, type TestWorld } from '../support/simulation.ts';

/** Small enough for the suite, busy enough to have claims, forged ones among them, and rings. */
const WORLD: World = { merchants: 120, days: 2, city: '广州', ruleset: 'classic-2019', fraudRate: 0.4, seed: 20_260_302, claimRate: 0.03, start: '2026-03-02' };

const EVERY_PAID_CLAIM = { share: 1, alwaysFromFen: 100_000, key: 'a-simulation-audit-key' };

const worlds: TestWorld[] = [];
const reports: SimReport[] = [];

let interruption: SimulationInterrupted | null = null;

/**
 * Runs the world in a database of its own. With `interruptAt`, the user presses Ctrl-C as that phase
 * starts; the same world is then run again in the same database, as the printed resume command does.
 */
async function run(world: World, interruptAt?: string): Promise<SimReport> {
  const fresh = await freshTestWorld(world);
  worlds.push(fresh);
  // every paid claim audited: the simulated reviewer's decisions are part of what the seed decides
  const { db } = fresh;
  const env = { ...fresh.env, auditSampling: EVERY_PAID_CLAIM };
  if (interruptAt) {
    let pressed = false;
    const progress: Progress = { ...silentProgress, phase: (label, total, unit) => ((pressed ||= label === interruptAt), silentProgress.phase(label, total, unit)) };
    interruption = await simulateWorld(db.pool, world, { ...env, progress, stopping: () => pressed }).then(
      () => null,
      (err: unknown) => {
        if (err instanceof SimulationInterrupted) return err;
        throw err;
      },
    );
    await assertLedgerInvariants(db.pool);
    await assertLotsMatchLedger(db.pool);
  }
  await simulateWorld(db.pool, world, env);
  return buildReport(db.pool, world);
}

before(async () => {
  reports.push(await run(WORLD), await run(WORLD, 'day 2 collect'));
});

after(async () => {
  for (const w of worlds) await w.close();
});

test('the same seed gives the same world and the same report numbers, even when interrupted and resumed', () => {
  assert.equal(interruption?.phase, 'collection', 'the second run was stopped, with consistent books, and resumed');
  const [first, second] = reports as [SimReport, SimReport];
  assert.deepEqual(seededFigures(second), seededFigures(first));
  assert.equal(first.coverage.enrolled, WORLD.merchants, 'everyone is enrolled by the last day');
  assert.ok(first.merchants.enrolled[0]! < WORLD.merchants, 'enrolment grows over the days');
  assert.ok(first.cost.collections > 0 && first.payments.notifications.every((n, d) => n > first.payments.collections[d]!), 'most notifications earn nothing');
});

test('the books balance after a simulated world: ledger invariants, lots match the ledger, credit adds up', async () => {
  for (const { db } of worlds) {
    await assertLedgerInvariants(db.pool);
    await assertLotsMatchLedger(db.pool);
  }
  const r = reports[0]!;
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  assert.ok(sum(r.creditsFen.collected) + sum(r.creditsFen.lapsed) <= sum(r.creditsFen.granted), 'no more collected and lapsed than granted');
  assert.ok(sum(r.creditsFen.collected) > 0);
  const { rows } = await worlds[0]!.db.pool.query<{ paid: number }>("SELECT coalesce(sum(amount_fen), 0)::int AS paid FROM payouts WHERE state = 'succeeded'");
  assert.equal(rows[0]!.paid, r.cost.reimbursedFen, 'what the report calls reimbursed reached the wallets');
});

test('every paid claim drawn (share 1) is audited by the simulated reviewer; with no forged claim paid, none is found overpaid', async () => {
  const r = reports[0]!;
  const { rows } = await worlds[0]!.db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM claims WHERE status = 'paid' AND decided_by = 'machine'");
  assert.ok(rows[0]!.n > 0, 'the machine paid claims');
  assert.deepEqual(
    [r.audits.decidedSample, r.audits.pending, r.audits.errorRate, r.audits.overpaidFoundFen],
    [rows[0]!.n, 0, 0, 0],
    'every paid claim was audited and decided; no forged claim was paid, so none was overpaid',
  );
});

test('refused claims are appealed by a share of their merchants and decided by the simulated reviewer: no forged claim upheld, none left waiting', async () => {
  const r = reports[0]!;
  const { rows } = await worlds[0]!.db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM claim_appeals WHERE outcome IS NULL");
  assert.equal(rows[0]!.n, 0, 'every appeal decided');
  const appealed = r.appeals.reduce((s, a) => s + a.appealed, 0);
  assert.ok(appealed > 0, 'some refusals were appealed');
  for (const a of r.appeals) assert.equal(a.approved + a.rejected, a.appealed, `${a.kind}: every appeal upheld or refused`);
  assert.deepEqual(r.appeals.find((a) => a.kind === 'forged')!.approved, 0, 'no forged claim upheld');
});

test("the liability at the end is the merchants' credit, costed at the run's claim ratio", async () => {
  const r = reports[0]!;
  const { rows } = await worlds[0]!.db.pool.query<{ fen: number }>(
    // each credit account holds its posted balance and what is on its way in; a claim's reservation is still the merchant's
    "SELECT coalesce(sum(credits_posted - debits_posted + credits_pending), 0)::bigint AS fen FROM ledger_accounts WHERE kind IN ('merchant_pending', 'merchant_available')",
  );
  assert.deepEqual(r.liability.cities.map((c) => c.city), [WORLD.city]);
  assert.equal(r.liability.cities[0]!.outstandingFen, Number(rows[0]!.fen), 'to collect + available + reserved = what the merchants hold');
  assert.equal(r.liability.claimRatio, r.cost.reimbursedFen / r.cost.creditsGrantedFen);
  assert.equal(r.liability.cities[0]!.expectedCostFen, Math.round(r.liability.cities[0]!.outstandingFen * r.liability.claimRatio!));
});

test("every claim's bill is checked with its issuer, which knows every bill the world issued; with the service up, none is decided without it", () => {
  const { atDecision, afterPayment } = reports[0]!.verification;
  assert.ok(atDecision.verified > 0, 'the issuer confirmed the legitimate bills');
  assert.deepEqual([atDecision.unknown_bill, atDecision.deferred, afterPayment.queued], [0, 0, 0]);
});

test('injected fraud is caught: rings and fan-out payers flagged, no forged claim paid', () => {
  const r = reports[0]!;
  for (const p of r.fraud.payments) {
    assert.ok(p.actors > 0, `${p.kind} was injected`);
    assert.equal(p.caughtActors, p.actors, `every ${p.kind} actor has a flagged payment`);
  }
  const forged = r.fraud.claims.reduce((s, k) => s + k.injected, 0);
  assert.ok(forged > 0, 'some claims were forged');
  for (const k of r.fraud.claims) assert.equal(k.paid, 0, `no ${k.kind} claim paid`);
  assert.ok(r.claims.total > forged, 'legitimate claims too');
  assert.ok(r.cost.reimbursedFen > 0, 'some legitimate claims were paid');
  assert.ok(r.fraud.legitFlagged < r.fraud.legitPayments / 2, 'signals do not flag most honest payments');
});

test('the report is one self-contained HTML file with its charts', () => {
  const html = renderReportHtml(reports);
  assert.ok(!/<script[^>]+src=/.test(html) && !/<link[^>]+href=/.test(html), 'no external scripts or styles');
  assert.equal(html.match(/class="chart"/g)?.length, 12, 'six charts per ruleset');
  assert.ok(html.includes('Side by side'), 'two reports are compared side by side');
});
