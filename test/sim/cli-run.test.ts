/**
 * The simulator as a user runs it: `carepoints simulate --merchants 2000 --days 2` through the real
 * command, on the test's PostgreSQL server, to its report (issue 11's small run in CI).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let db: TestDatabase;
let dir: string;
let worldDatabase: string | null = null;
before(async () => {
  db = await createTestDatabase({ migrated: false });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carepoints-sim-run-'));
});
after(async () => {
  if (worldDatabase) await db.pool.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(worldDatabase)} WITH (FORCE)`);
  await db?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('carepoints simulate --merchants 2000 --days 2 writes its report: two days of payments, collections and claims', { timeout: 600_000 }, async () => {
  const out = path.join(dir, 'report');
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    ['bin/carepoints.js', 'simulate', '--merchants', '2000', '--days', '2', '--city', '广州', '--fresh', '--out', out],
    { env: { ...process.env, DATABASE_URL: db.url, CAREPOINTS_DATA_DIR: dir }, maxBuffer: 16 * 1024 * 1024 },
  );
  // the progress notes (the world's database among them) go to stderr, the results to stdout
  worldDatabase = /\(database (carepoints_sim_[0-9a-f]+)\)/.exec(stderr)?.[1] ?? null;
  assert.ok(worldDatabase, stderr);
  assert.match(stdout, /report: .*report\.html/);

  const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')).reports[0];
  assert.deepEqual([report.world.merchants, report.world.days, report.world.city], [2000, 2, '广州']);
  assert.equal(report.days.length, 2);
  assert.equal(report.merchants.enrolled.at(-1), 2000);
  for (const [day, n] of report.payments.notifications.entries()) assert.ok(n > 1_000, `day ${day + 1}: ${n} notifications`);
  assert.ok(report.payments.collections.every((n: number) => n > 0), 'merchants collected on both days');
  assert.ok(report.creditsFen.granted.every((fen: number) => fen > 0), 'credit was granted on both days');
  const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
  assert.match(html, /^<!doctype html>/i);
  assert.doesNotMatch(html, /<script[^>]+src=/i, 'self-contained: no script loaded from elsewhere');
});
