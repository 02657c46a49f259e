/**
 * Development only: the first start on an empty database seeds a living demo city, so that a newcomer
 * finds a working programme: a seeded simulator world (sim/) of a few hundred merchants over the week
 * that ended yesterday, run through the product's own code, then a cast of claims in every state
 * (dev-demo-claims.ts) and today's first payers. The demo merchant 张伟 is one of the city's merchants.
 * Loaded on demand: production never imports the simulator.
 */
import type pg from 'pg';
import { importEnrolments } from '../merchants/store.ts';
import { addDays, businessDay, businessDayStart } from '../shared/business-day.ts';
import { ingestPayments } from '../payments/ingest.ts';
import { loadHospitalRegistry } from '../hospitals/record.ts';
import type { FileStore } from '../storage/index.ts';
import { SIM_SCHEMA } from '../../sim/run/database.ts';
import { silentProgress } from '../../sim/run/progress.ts';
import { simulateWorld } from '../../sim/run/simulate.ts';
import { cityHospitals } from '../../sim/world/claims.ts';
import { enrolmentOf, merchantAt, type SimMerchant } from '../../sim/world/population.ts';
import { DEFAULT_RULESET } from '../../sim/world/rulesets.ts';
import { notification } from '../../sim/world/traffic.ts';
import { DEFAULT_FRAUD_RATE, type World } from '../../sim/world/world.ts';
import { castClaims } from './dev-demo-claims.ts';
import { seedDemoCatalogue } from './dev-demo-catalogue.ts';
import { onlyRow } from '../shared/assert.ts';

export const DEMO_MERCHANT = { legalName: '张伟', idNumber: '11010519491231002X', phone: '13800138000' } as const;
const DEMO_DAYS = 7;
/**
 * No claims in the simulated week: recognising a photo takes about a second of both cores, so the
 * claims are the cast's few (dev-demo-claims.ts) and the week is payments, collections and lapses.
 */
const DEMO_CITY: Omit<World, 'start'> = { merchants: 300, days: DEMO_DAYS, city: '广州', ruleset: DEFAULT_RULESET, fraudRate: DEFAULT_FRAUD_RATE, seed: 2019, claimRate: 0 };
/** Several processes starting at once on one empty database: one seeds, the others wait and find it done. */
const DEMO_LOCK = 7_020_190_601;
const SIM_TABLES = 'sim_claims, sim_fraud_payments, sim_steps, sim_world';
const TODAYS_PAYERS = 5;
const QUARTER_HOUR_MS = 900_000;

export interface DemoCity {
  merchants: number;
  days: number;
  claims: number;
  seconds: number;
}

/** The week that ended yesterday (Shanghai business days). */
export function demoWorld(now: Date): World {
  return { ...DEMO_CITY, start: addDays(businessDay(now), -DEMO_DAYS) };
}

/** 张伟 stands in for a merchant of the city who enrols on the first day, is a regular and collects every evening. */
export function demoMerchantOf(world: World): SimMerchant {
  for (let index = 0; index < world.merchants; index++) {
    const m = merchantAt(world, index);
    if (m.enrolDay === 0 && m.busyness === 'regular' && m.collector === 'daily') return { ...m, legalName: DEMO_MERCHANT.legalName };
  }
  throw new Error('the demo city has no regular merchant enrolled on its first day');
}

/** The demo merchant's phone and name while it exists, printed at every start. */
export async function demoMerchant(pool: pg.Pool): Promise<{ phone: string; legalName: string } | null> {
  const { rows } = await pool.query<{ phone: string; legal_name: string }>('SELECT phone, legal_name FROM merchants WHERE phone = $1 AND legal_name = $2 LIMIT 1', [DEMO_MERCHANT.phone, DEMO_MERCHANT.legalName]);
  return rows[0] ? { phone: rows[0].phone, legalName: rows[0].legal_name } : null;
}

/**
 * Seeds the demo city when the database has no merchant yet; null when it has (nothing is done). A
 * start that stopped halfway left the simulator's tables behind: the next start resumes the same
 * world (its phases and the cast are idempotent), then drops them.
 */
export async function seedDemoCity(pool: pg.Pool, options: { idHashKey: string; files: FileStore; now?: Date }): Promise<DemoCity | null> {
  const now = options.now ?? new Date();
  const started = performance.now();
  const lock = await pool.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [DEMO_LOCK]);
    const { rows } = await lock.query<{ merchants: boolean; unfinished: boolean }>("SELECT EXISTS (SELECT FROM merchants) AS merchants, to_regclass('sim_world') IS NOT NULL AS unfinished");
    const seeded = onlyRow(rows, 'whether the demo city is seeded');
    if (seeded.merchants && !seeded.unfinished) return null;
    await pool.query(SIM_SCHEMA);
    await pool.query('INSERT INTO sim_world (world) VALUES ($1) ON CONFLICT (singleton) DO NOTHING', [JSON.stringify(demoWorld(now))]);
    const world = onlyRow((await pool.query<{ world: World }>('SELECT world FROM sim_world')).rows, 'the simulated world').world;
    const zhang = demoMerchantOf(world);
    // enrolled first, in the place of the city's merchant: the simulation's own enrolment of it is a duplicate, skipped
    const enrolment = { ...enrolmentOf(world, zhang), ...DEMO_MERCHANT };
    await importEnrolments(pool, [{ line: 1, input: enrolment }], options.idHashKey, { skipDuplicates: true });
    const hospitals = cityHospitals((await loadHospitalRegistry()).hospitals, world.city);
    await simulateWorld(pool, world, { progress: silentProgress, hospitals, files: options.files, stopping: () => false });
    const claims = await castClaims(pool, { world, hospitals, files: options.files, now, demo: zhang });
    await todaysPayers(pool, zhang, now);
    await seedDemoCatalogue(pool);
    await pool.query(`DROP TABLE ${SIM_TABLES}`);
    const { rows: counted } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM merchants');
    return { merchants: counted[0]!.n, days: world.days, claims, seconds: (performance.now() - started) / 1000 };
  } finally {
    // the session's advisory lock goes with its connection
    lock.release(true);
  }
}

/** A few payers of today for 张伟, so that there is credit to collect on the first visit (within today, before `now`). */
async function todaysPayers(pool: pg.Pool, zhang: SimMerchant, now: Date): Promise<void> {
  const sinceMidnightMs = now.getTime() - businessDayStart(businessDay(now)).getTime();
  const stepMs = Math.min(QUARTER_HOUR_MS, Math.floor(sinceMidnightMs / (TODAYS_PAYERS + 1)));
  const day = businessDay(now).replaceAll('-', '');
  await ingestPayments(
    pool,
    Array.from({ length: TODAYS_PAYERS }, (_, i) =>
      // the same trade numbers from a resumed start: its payments are repeats
      notification({ tradeNo: `DEMO${day}${i}`, buyerId: `2088${String(900_000_000_001 + i)}`, sellerId: zhang.walletUserId, amountFen: 1_250 + 340 * i, paidAt: new Date(now.getTime() - (i + 1) * stepMs) }),
    ),
  );
}
