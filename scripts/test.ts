/**
 * `npm test`: runs every test file under node's test runner against a real PostgreSQL.
 * With CAREPOINTS_TEST_DATABASE_URL or DATABASE_URL (a URL of an existing server whose user may create
 * databases) it makes throw-away databases there;
 * otherwise it starts an embedded PostgreSQL for the run. Extra arguments filter test files by path.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createPool } from '../src/db/database.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { ensureWebBuild } from '../src/http/web-build.ts';
import { ensureSystemPackages } from './system-packages.ts';

const root = path.resolve(import.meta.dirname, '..');
const filters = process.argv.slice(2);
const files = (fs.readdirSync(path.join(root, 'test'), { recursive: true }) as string[])
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => path.join('test', f))
  .filter((f) => filters.length === 0 || filters.some((needle) => f.includes(needle)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}

const systemProblem = ensureSystemPackages();
if (systemProblem) {
  console.error(systemProblem);
  process.exit(1);
}

// the end-to-end tests drive the built apps: build them (when web/ changed) before any test runs
const web = await ensureWebBuild({ log: console.log });
if (web.built) console.log(`web apps built in ${web.seconds.toFixed(1)} s`);

let embedded: EmbeddedPostgres | null = null;
let tmpDir: string | null = null;
let adminUrl = process.env.CAREPOINTS_TEST_DATABASE_URL || process.env.DATABASE_URL;
if (adminUrl) {
  console.log(`tests use the PostgreSQL server at ${new URL(adminUrl).host}`);
} else {
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carepoints-test-pg-'));
  embedded = await startEmbeddedPostgres({ dir: tmpDir, ephemeral: true });
  adminUrl = embedded.url;
  console.log(`tests use an embedded PostgreSQL on port ${embedded.port}`);
}

const template = `cp_template_${process.pid}`;
async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
await adminQuery(`DROP DATABASE IF EXISTS ${template}`);
await adminQuery(`CREATE DATABASE ${template}`);
const templateUrl = new URL(adminUrl);
templateUrl.pathname = `/${template}`;
const templatePool = createPool(templateUrl.toString(), 2);
await migrate(templatePool);
await templatePool.end();

const concurrency = Math.max(2, os.availableParallelism());
const child = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, CAREPOINTS_TEST_ADMIN_URL: adminUrl, CAREPOINTS_TEST_TEMPLATE: template },
});
const code: number = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));

await adminQuery(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`).catch(() => {});
await embedded?.stop();
if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
process.exit(code);
