/**
 * A simulation's own database: one per world (the name is a digest of the world), on the server of
 * DATABASE_URL or on an embedded PostgreSQL of its own. Beside the product's schema, a few sim_
 * tables remember what the run has done (for resuming) and which payments and claims were forged.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { createPool, ensureDatabase } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import type { World } from '../world/world.ts';

export const SIM_SCHEMA = `
CREATE TABLE IF NOT EXISTS sim_world (
  singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  world        jsonb NOT NULL,
  finished_at  timestamptz
);
CREATE TABLE IF NOT EXISTS sim_steps (
  day       integer NOT NULL,
  phase     text NOT NULL,
  items     bigint NOT NULL,
  wall_ms   integer NOT NULL,
  PRIMARY KEY (day, phase)
);
CREATE TABLE IF NOT EXISTS sim_fraud_payments (
  trade_no  text PRIMARY KEY,
  kind      text NOT NULL,
  actor     text NOT NULL
);
CREATE TABLE IF NOT EXISTS sim_claims (
  claim_id     uuid PRIMARY KEY,
  merchant_id  bigint NOT NULL,
  day          integer NOT NULL,
  kind         text NOT NULL,
  spec         jsonb NOT NULL
);`;

export function databaseNameOf(world: World): string {
  // a budget joins the digest only when there is one: the worlds without keep their databases' names
  const fields = [world.merchants, world.days, world.city, world.ruleset, world.fraudRate, world.seed, world.claimRate, world.start, ...(world.budgetFen === undefined ? [] : [world.budgetFen])];
  const digest = createHash('sha256').update(JSON.stringify(fields)).digest('hex');
  return `carepoints_sim_${digest.slice(0, 12)}`;
}

/** Opens (creating and migrating when new) the world's database on the server at `adminUrl`. */
export async function openWorldDatabase(adminUrl: string, world: World, options: { fresh: boolean }): Promise<{ pool: pg.Pool; name: string }> {
  const name = databaseNameOf(world);
  if (options.fresh) await dropDatabase(adminUrl, name);
  const pool = createPool(await ensureDatabase(adminUrl, name), 8);
  await prepareWorld(pool, world);
  return { pool, name };
}

async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** jsonb keeps keys in its own order: compare worlds field by field. */
function canonical(world: World): string {
  return JSON.stringify(Object.entries(world).sort(([a], [b]) => a.localeCompare(b)));
}

/** Migrates, adds the sim_ tables and records the world; a database holding another world is refused. */
export async function prepareWorld(pool: pg.Pool, world: World): Promise<void> {
  await migrate(pool);
  await pool.query(SIM_SCHEMA);
  await pool.query('INSERT INTO sim_world (world) VALUES ($1) ON CONFLICT (singleton) DO NOTHING', [JSON.stringify(world)]);
  const { rows } = await pool.query<{ world: World }>('SELECT world FROM sim_world');
  if (canonical(rows[0]!.world) !== canonical(world)) throw new Error(`this database holds another simulated world: ${JSON.stringify(rows[0]!.world)}`);
}
