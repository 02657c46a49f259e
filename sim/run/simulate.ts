/**
 * Runs a simulated world day by day through the product's code. Each phase of each day is recorded
 * when it completes (sim_steps), so an interrupted run resumes at the phase it stopped in; every
 * phase is made of whole transactions and is idempotent, so what was half done is redone, not doubled.
 */
import type pg from 'pg';
import { startClaimWorkers } from '../../src/claims/index.ts';
import { walletGatewayFor } from '../../src/cli/wallet.ts';
import { businessDayStart } from '../../src/shared/business-day.ts';
import { loadRulesets, publishRuleset } from '../../src/points/rulesets.ts';
import type { AuditSampling } from '../../src/config/config.ts';
import type { FileStore } from '../../src/storage/index.ts';
import { issueBill, type CityHospitals, type PhotoSpec } from '../world/claims.ts';
import { createHttpsVerifier, startVerifierSandbox } from '../../src/verification/index.ts';
import { enrolledBy } from '../world/fraud.ts';
import { SIMULATION_RULESETS } from '../world/rulesets.ts';
import { dayOf, type World } from '../world/world.ts';
import { buildApp } from '../../src/server/app.ts';
import { resolveIdHashKey } from '../../src/merchants/store.ts';
import { budgetPeriodOf, BudgetExists, createBudget, refreshLiability } from '../../src/budgets/index.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import { appealPhase, simApiKeys, type SimApi } from './appeals.ts';
import { auditPhase } from './audits.ts';
import { claimsPhase } from './claims.ts';
import type { SimContext } from './context.ts';
import { collectPhase, enrolPhase, paymentsPhase, remindPhase, sweepPhase } from './market.ts';
import type { Progress } from './progress.ts';

export interface SimulationEnvironment {
  progress: Progress;
  hospitals: CityHospitals;
  files: FileStore;
  stopping(): boolean;
  /** Notifications a payment batch closes at (default 9,000): smaller batches put more of them in flight at once. */
  batchNotifications?: number;
  /** Which paid claims are drawn for audit (the CLI: the configuration's; default DEFAULT_AUDIT_SAMPLING). */
  auditSampling?: AuditSampling;
}

const VERIFIER_TOKEN = 'simulation-verifier-token';

/** The world's ruleset, published and adopted from the first simulated day (unless already). */
async function adoptRuleset(pool: pg.Pool, world: World): Promise<void> {
  const from = businessDayStart(world.start);
  const versions = await loadRulesets(pool);
  if (versions.some((v) => v.name === world.ruleset && v.adopted && v.effectiveFrom.getTime() === from.getTime())) return;
  await publishRuleset(pool, { name: world.ruleset, effectiveFrom: from, params: SIMULATION_RULESETS[world.ruleset], adopt: true }, from);
}

async function step(ctx: SimContext, day: number, phase: string, run: () => Promise<number>): Promise<void> {
  const { rowCount } = await ctx.pool.query('SELECT 1 FROM sim_steps WHERE day = $1 AND phase = $2', [day, phase]);
  if (rowCount) return;
  const started = performance.now();
  const items = await run();
  await ctx.pool.query('INSERT INTO sim_steps (day, phase, items, wall_ms) VALUES ($1, $2, $3, $4)', [day, phase, items, Math.round(performance.now() - started)]);
}

/** The world's budget, set for the city for every month its days span (a resumed run finds them set). */
async function setBudgets(pool: pg.Pool, world: World): Promise<void> {
  const { budgetFen } = world;
  if (budgetFen === undefined) return;
  const periods = new Set(Array.from({ length: world.days }, (_, d) => budgetPeriodOf(dayOf(world, d))));
  for (const period of periods) {
    await inTransaction(pool, (client) => createBudget(client, { city: world.city, period, limitFen: budgetFen, alertPercents: [80, 100], createdBy: 'simulation', now: businessDayStart(world.start) })).catch((err: unknown) => {
      if (!(err instanceof BudgetExists)) throw err;
    });
  }
}

export async function simulateWorld(pool: pg.Pool, world: World, env: SimulationEnvironment): Promise<void> {
  const { rows } = await pool.query<{ finished: boolean }>('SELECT finished_at IS NOT NULL AS finished FROM sim_world');
  if (rows[0]?.finished) return;
  await adoptRuleset(pool, world);
  await setBudgets(pool, world);
  const clock = { now: businessDayStart(world.start) };
  const wallet = await walletGatewayFor({ walletGateway: null });
  const verifier = await startVerifierSandbox({ token: VERIFIER_TOKEN, now: () => clock.now });
  // a resumed run: the bills of the claims already sent are issued again (the sandbox keeps them in memory)
  const { rows: sent } = await pool.query<{ spec: PhotoSpec }>('SELECT spec FROM sim_claims ORDER BY day, claim_id');
  for (const { spec } of sent) issueBill(verifier, spec, env.hospitals);
  const verification = { verifier: createHttpsVerifier({ url: verifier.url, token: VERIFIER_TOKEN, timeoutMs: 5_000 }), limits: { dailyLimitPerBill: 5 } };
  const workers = await startClaimWorkers(pool, { files: env.files, gateway: wallet.gateway, concurrency: 2, now: () => clock.now, verification, ...(env.auditSampling && { auditSampling: env.auditSampling }) });
  const ctx: SimContext = { pool, world, progress: env.progress, hospitals: env.hospitals, files: env.files, verifier, clock, stopping: env.stopping, batchNotifications: env.batchNotifications };
  // the merchants' appeals and the reviewer's decisions go through the product's routes, served in-process
  const keys = simApiKeys();
  const api: SimApi = {
    app: await buildApp({ pool, apiKeys: new Map([[keys.opsKey, 'ops'], [keys.reviewerKey, 'reviewer']]), idHashKey: await resolveIdHashKey(pool, null), files: env.files, now: () => clock.now }),
    ...keys,
  };
  try {
    for (let day = 0; day < world.days; day++) {
      const enrolled = enrolledBy(world, day);
      await step(ctx, day, 'enrol', () => enrolPhase(ctx, day, enrolled.filter((m) => m.enrolDay === day)));
      await step(ctx, day, 'payments', () => paymentsPhase(ctx, day, enrolled));
      await step(ctx, day, 'reminders', () => remindPhase(ctx, day));
      await step(ctx, day, 'collect', () => collectPhase(ctx, day));
      await step(ctx, day, 'claims', () => claimsPhase(ctx, day, enrolled));
      await step(ctx, day, 'appeals', () => appealPhase(ctx, api, day));
      await step(ctx, day, 'audits', () => auditPhase(ctx, day));
      await step(ctx, day, 'sweeps', () => sweepPhase(ctx, day));
      // the day's liability as the periodic work sums it, at the day's end
      await step(ctx, day, 'liability', () => refreshLiability(pool, dayOf(world, day), businessDayStart(dayOf(world, day + 1))));
    }
    await pool.query('UPDATE sim_world SET finished_at = now()');
  } finally {
    await workers.stop();
    await api.app.close();
    await wallet.close();
    await verifier.close();
  }
}
