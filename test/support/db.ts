import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import pg from 'pg';
import { createPool } from '../../src/db/database.ts';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { migrate } from '../../src/db/migrate.ts';
import { CITUS_URL, createCitusDatabase, dropCitusDatabase } from './citus.ts';
import { assertLotsMatchLedger } from './credit-invariants.ts';
import { assertLedgerInvariants } from './ledger-invariants.ts';

/**
 * Each test file gets a throw-away database on a real PostgreSQL: the test runner's server
 * (CAREPOINTS_TEST_ADMIN_URL, with a migrated template) or, when a file runs alone, an embedded one;
 * with CAREPOINTS_CITUS_URL, on that Citus cluster, distributed by the sharding plan (support/citus.ts).
 */
export interface TestDatabase {
  pool: pg.Pool;
  url: string;
  close(): Promise<void>;
}

let standaloneAdminUrl: Promise<string> | null = null;

async function adminUrl(): Promise<string> {
  const fromRunner = process.env.CAREPOINTS_TEST_ADMIN_URL;
  if (fromRunner) return fromRunner;
  standaloneAdminUrl ??= (async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carepoints-test-pg-'));
    const server = await startEmbeddedPostgres({ dir, ephemeral: true });
    process.once('exit', () => {
      void server.stop();
    });
    return server.url;
  })();
  return standaloneAdminUrl;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * `creditLots: false` is for the ledger's own tests, which drive accounts of every kind as a generic
 * engine: the points capability's rule that lots follow merchant credit (enforced by deferred
 * triggers) is switched off in their database, and so is its check at the end.
 */
export async function createTestDatabase(options: { migrated?: boolean; creditLots?: boolean } = {}): Promise<TestDatabase> {
  const migrated = options.migrated ?? true;
  const creditLots = migrated && (options.creditLots ?? true);
  const name = `cp_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  if (CITUS_URL && migrated) return citusTestDatabase(CITUS_URL, name, creditLots);
  const admin = await adminUrl();
  const template = migrated ? process.env.CAREPOINTS_TEST_TEMPLATE : undefined;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${client.escapeIdentifier(template)}` : ''}`);
  } finally {
    await client.end();
  }
  const url = withDatabase(admin, name);
  const pool = createPool(url, 20);
  if (migrated && !template) await migrate(pool);
  if (migrated && !creditLots) await withoutCreditLots(pool);
  return {
    pool,
    url,
    async close() {
      // every test that moves money leaves the books whole: checked once more as its database goes
      if (migrated) await assertLedgerInvariants(pool);
      if (creditLots) await assertLotsMatchLedger(pool);
      await pool.end();
      const dropper = new pg.Client({ connectionString: admin });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

async function withoutCreditLots(pool: pg.Pool): Promise<void> {
  await pool.query('ALTER TABLE ledger_accounts DISABLE TRIGGER merchant_credit_matches_lots; ALTER TABLE credit_lots DISABLE TRIGGER credit_lots_match_merchant_credit');
}

async function citusTestDatabase(citusUrl: string, name: string, creditLots: boolean): Promise<TestDatabase> {
  const url = await createCitusDatabase(citusUrl, name, (u) => createPool(u, 2));
  const pool = createPool(url, 20);
  if (!creditLots) await withoutCreditLots(pool);
  return {
    pool,
    url,
    async close() {
      await assertLedgerInvariants(pool);
      if (creditLots) await assertLotsMatchLedger(pool);
      await pool.end();
      await dropCitusDatabase(citusUrl, name);
    },
  };
}
