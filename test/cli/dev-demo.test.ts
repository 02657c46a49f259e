import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DEMO_MERCHANT, seedDemoCity, type DemoCity } from '../../src/cli/dev-demo.ts';
import { devConsoleUsers } from '../../src/cli/dev-staff.ts';
import { merchantBalance } from '../../src/ledger/index.ts';
import { localFileStore } from '../../src/storage/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { enrolMerchants, TEST_ID_HASH_KEY } from '../support/fixtures.ts';

/** A Friday afternoon in Shanghai: the demo week is 2026-11-13 … 2026-11-19. */
const NOW = new Date('2026-11-20T06:00:00Z');
const WEEK = ['2026-11-13', '2026-11-14', '2026-11-15', '2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19'];

let db: TestDatabase;
let filesDir: string;
let seeded: (DemoCity | null)[];
let seedSeconds: number;

before(async () => {
  db = await createTestDatabase();
  filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carepoints-demo-'));
  const options = { idHashKey: TEST_ID_HASH_KEY, files: localFileStore(filesDir), now: NOW };
  const started = performance.now();
  // three processes starting at once on the empty database
  seeded = await Promise.all([0, 1, 2].map(() => seedDemoCity(db.pool, options)));
  seedSeconds = (performance.now() - started) / 1000;
});
after(async () => {
  await db?.close();
  if (filesDir) fs.rmSync(filesDir, { recursive: true, force: true });
});

const count = async (sql: string, params: unknown[] = []): Promise<number> => (await db.pool.query<{ n: number }>(sql, params)).rows[0]!.n;

test('several starts at once on an empty database: one seeds the demo city, the others find it done', () => {
  const cities = seeded.filter((c) => c !== null);
  assert.equal(cities.length, 1, 'seeded once');
  assert.equal(cities[0]!.merchants, 300);
  assert.equal(cities[0]!.days, 7);
  console.log(`demo city seeded in ${cities[0]!.seconds.toFixed(1)} s (all three calls returned after ${seedSeconds.toFixed(1)} s)`);
});

test('the city: a few hundred merchants with a week of payments ending yesterday, collections and lapses', async () => {
  assert.equal(await count('SELECT count(*)::int AS n FROM merchants'), 300);
  const { rows } = await db.pool.query<{ day: string; n: number }>("SELECT to_char(business_day, 'YYYY-MM-DD') AS day, count(*)::int AS n FROM payments WHERE business_day < '2026-11-20' GROUP BY 1 ORDER BY 1");
  assert.deepEqual(rows.map((r) => r.day), WEEK, 'every day of the week has payments');
  assert.ok(rows.every((r) => r.n > 100), `hundreds of payments a day: ${JSON.stringify(rows)}`);
  assert.ok((await count("SELECT count(*)::int AS n FROM credit_lots WHERE collected_at IS NOT NULL")) > 100, 'merchants collected');
  assert.ok((await count("SELECT count(*)::int AS n FROM credit_lots WHERE state = 'lapsed'")) > 0, 'some let credit lapse');
  assert.equal(await count("SELECT count(*)::int AS n FROM pg_tables WHERE tablename LIKE 'sim\\_%'"), 0, "the simulator's bookkeeping is dropped");
});

test('claims in every state a claim rests in, some waiting in review; the passing states are in their timelines', async () => {
  const { rows } = await db.pool.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM claims GROUP BY 1');
  const byStatus = Object.fromEntries(rows.map((r) => [r.status, r.n]));
  for (const status of ['submitted', 'in_review', 'photo_requested', 'paid', 'rejected']) assert.ok((byStatus[status] ?? 0) > 0, `a claim ${status}: ${JSON.stringify(byStatus)}`);
  assert.ok((byStatus.in_review ?? 0) >= 2, `a handful in review: ${JSON.stringify(byStatus)}`);
  const passed = (await db.pool.query<{ status: string }>('SELECT DISTINCT status FROM claim_events')).rows.map((r) => r.status);
  for (const status of ['recognized', 'approved']) assert.ok(passed.includes(status), `claims passed through ${status}`);
  assert.equal(await count("SELECT count(*)::int AS n FROM payouts WHERE state = 'failed' AND failure_code = 'PAYEE_NOT_EXIST'"), 1, 'one payout refused by the wallet');
  assert.equal(await count("SELECT count(*)::int AS n FROM claim_events WHERE code = 'payout_failed'"), 1, '…and its claim back in review');
  assert.equal(await count("SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE task_identifier = 'claim_recognize'"), byStatus.submitted, 'the submitted ones wait for the server’s workers');
});

test('张伟 is one of them: credit of today to collect and a claim paid', async () => {
  const { rows } = await db.pool.query<{ merchant_id: number }>('SELECT merchant_id::int FROM merchants WHERE phone = $1 AND legal_name = $2', [DEMO_MERCHANT.phone, DEMO_MERCHANT.legalName]);
  assert.equal(rows.length, 1);
  const id = rows[0]!.merchant_id;
  assert.ok((await count("SELECT count(*)::int AS n FROM payments WHERE merchant_id = $1 AND business_day = '2026-11-20'", [id])) >= 5, 'payers today');
  assert.ok((await count("SELECT count(*)::int AS n FROM payments WHERE merchant_id = $1 AND business_day < '2026-11-20'", [id])) > 0, 'and during the week');
  const balance = (await merchantBalance(db.pool, id))!;
  assert.equal(balance.pendingFen, 5 * 200, 'five payers of today to collect');
  assert.equal(await count("SELECT count(*)::int AS n FROM claims WHERE merchant_id = $1 AND status = 'paid'", [id]), 1);
  assert.equal(await count("SELECT count(*)::int AS n FROM claims WHERE merchant_id = $1 AND status <> 'paid'", [id]), 0, 'no claim of his refused or waiting');
  // his next claim is paid too: credit collected before the visit day of his claim, and some left after it
  const { rows: visit } = await db.pool.query<{ visit_date: string; paid_fen: number }>("SELECT to_char(visit_date, 'YYYY-MM-DD') AS visit_date, paid_fen::int FROM claims WHERE merchant_id = $1", [id]);
  const collectedBefore = await count("SELECT coalesce(sum(amount_fen), 0)::int AS n FROM credit_lots WHERE merchant_id = $1 AND collected_at < ($2::date::timestamp AT TIME ZONE 'Asia/Shanghai')", [id, visit[0]!.visit_date]);
  console.log(`张伟: visit ${visit[0]!.visit_date}, ${collectedBefore} fen collected before it, ${visit[0]!.paid_fen} fen paid, ${balance.availableFen} fen available after`);
  assert.ok(collectedBefore > 0, 'credit collected before the visit day');
  assert.ok(balance.availableFen >= 2_000, `credit left for his next claim: ${balance.availableFen} fen`);
});

test('the demo catalogue has items, each saying how it is used', async () => {
  const { rows } = await db.pool.query<{ sku: string; description_zh: string; price_fen: number }>('SELECT sku, description_zh, price_fen::int FROM catalogue_items WHERE active ORDER BY price_fen');
  assert.deepEqual(rows.map((r) => r.sku), ['eye-exam', 'flu-vaccine', 'dental-cleaning', 'basic-checkup']);
  assert.ok(rows.every((r) => r.description_zh.includes('兑换码')), 'each says to show the code');
});

test('a database that has its city, or any merchant, gets no demo', async () => {
  const before = await count('SELECT count(*)::int AS n FROM payments');
  assert.equal(await seedDemoCity(db.pool, { idHashKey: TEST_ID_HASH_KEY, files: localFileStore(filesDir), now: NOW }), null);
  assert.equal(await count('SELECT count(*)::int AS n FROM payments'), before);
  const other = await createTestDatabase();
  try {
    await enrolMerchants(other.pool, 1);
    assert.equal(await seedDemoCity(other.pool, { idHashKey: TEST_ID_HASH_KEY, files: localFileStore(filesDir), now: NOW }), null);
    assert.equal((await other.pool.query('SELECT count(*)::int AS n FROM merchants')).rows[0].n, 1);
  } finally {
    await other.close();
  }
});

test('a fresh install gets a console admin and a reviewer; several processes at once: one creates them and prints their passwords', async () => {
  const fresh = await createTestDatabase();
  const dirs = [0, 1, 2].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'carepoints-dev-')));
  try {
    const printed = await Promise.all(dirs.map((dir) => devConsoleUsers(fresh.pool, dir)));
    const creators = printed.filter((users) => users.length > 0);
    assert.equal(creators.length, 1, 'the process that created them prints them');
    assert.deepEqual(creators[0]!.map((u) => [u.username, u.role]), [['admin', 'admin'], ['reviewer', 'reviewer']]);
    const { rows } = await fresh.pool.query<{ username: string; role: string }>('SELECT username, role FROM staff_users ORDER BY username');
    assert.deepEqual(rows.map((r) => [r.username, r.role]), [['admin', 'admin'], ['reviewer', 'reviewer']]);
    const again = await devConsoleUsers(fresh.pool, dirs[printed.indexOf(creators[0]!)]!);
    assert.deepEqual(again, creators[0], 'printed again at the next start');
  } finally {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    await fresh.close();
  }
});
