/**
 * Issue 13's crash test: `carepoints serve` as a real process on a PostgreSQL of the test's own, fed
 * 4,000-notification batches through POST /v1/payments:batch while the test `kill -9`s the server or
 * PostgreSQL at a random moment of a batch, restarts what it killed and sends again what was not
 * acknowledged. Checked: each batch was all-or-nothing at the moment of the crash, no answer but 200
 * or 503, and afterwards every notification had exactly the effect the pure rules give (nothing
 * lost, nothing doubled), the ledger's invariants hold and the credit lots equal the ledger.
 * CAREPOINTS_CRASH_TRIALS sets the number of crashes (`npm run soak:crash` runs 200 and prints the counts).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { ensureWebBuild } from '../../src/http/web-build.ts';
import { createPool } from '../../src/db/database.ts';
import { importEnrolments } from '../../src/merchants/store.ts';
import { random } from '../../sim/payments.ts';
import { AccrualModel, assertLedgerMatchesModel, parseAll, recentPayments } from '../support/accrual-model.ts';
import { PLATFORM_KEY } from '../support/app.ts';
import { ApiProcess, carepointsEnv } from '../support/carepoints-process.ts';
import { assertLotsMatchLedger } from '../support/credit-invariants.ts';
import { enrolment, TEST_ID_HASH_KEY } from '../support/fixtures.ts';
import { assertLedgerInvariants } from '../support/ledger-invariants.ts';
import { KillablePostgres } from './postgres.ts';

const TRIALS = Number(process.env.CAREPOINTS_CRASH_TRIALS ?? 10);
const SEED = Number(process.env.CAREPOINTS_CRASH_SEED ?? 13);
const BATCH = 4_000;
// enough merchants that batches late in a long soak still earn credit (each merchant-day earns 10 payers at most)
// trials past TRIALS run only until each victim has been killed mid-batch at least once (bounded)
const EXTRA_TRIALS = TRIALS;
const MERCHANTS = 1_500 + (TRIALS + EXTRA_TRIALS) * 250;
const RESEND_TIMEOUT_MS = 60_000;
if (!Number.isInteger(TRIALS) || TRIALS < 1) throw new Error('CAREPOINTS_CRASH_TRIALS must be a positive integer');

let postgres: KillablePostgres;
let databaseUrl: string;
let api: ApiProcess;

before(async () => {
  // the server would build the web apps itself on every (re)start if they were stale
  await ensureWebBuild();
  // durable: with synchronous_commit off a killed PostgreSQL forgets commits it already acknowledged
  postgres = await KillablePostgres.start({ ephemeral: false });
  databaseUrl = await postgres.createDatabase('cp_crash');
  const pool = createPool(databaseUrl, 2);
  try {
    const rows = Array.from({ length: MERCHANTS }, (_, i) => ({ line: i + 2, input: enrolment(i + 1) }));
    await importEnrolments(pool, rows, TEST_ID_HASH_KEY, { skipDuplicates: false });
  } finally {
    await pool.end();
  }
  api = await startApi();
});

after(async () => {
  await api?.process.stop();
  await postgres?.stop();
});

const startApi = (): Promise<ApiProcess> => ApiProcess.start('carepoints serve', carepointsEnv(databaseUrl));

type Answer = { status: number; results: { status: string }[] } | { status: 'no answer'; error: string };

async function send(items: Record<string, string>[]): Promise<Answer> {
  try {
    const res = await fetch(`${api.url}/v1/payments:batch`, { method: 'POST', headers: { authorization: `Bearer ${PLATFORM_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(items) });
    const body = (await res.json()) as { results?: { status: string }[] };
    return { status: res.status, results: body.results ?? [] };
  } catch (err) {
    return { status: 'no answer', error: (err as Error).message };
  }
}

/** A client of the test's own: its connections are not the server's (application_name tells them apart). */
async function query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'crash-test' });
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/**
 * A killed server's backends live on until they notice: one may still be finishing the batch's
 * statements, or committing it. Only once they are gone is what the database holds final.
 */
async function serverSessionsGone(): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await query<{ n: number }>("SELECT count(*)::int n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'carepoints'"))[0]!.n > 0) {
    if (Date.now() > deadline) throw new Error('the killed server still has sessions after 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** How many of the trades that earned in this batch the database holds: 0 or all of them. */
async function earnedInDatabase(trades: string[]): Promise<number> {
  const rows = await query<{ n: number }>('SELECT count(*)::int n FROM payments WHERE trade_no = ANY($1::text[]) AND credit_fen + welcome_fen > 0', [trades]);
  return rows[0]!.n;
}

/** Sends until acknowledged: 503 while PostgreSQL recovers, connection refused while a server starts. */
async function resend(items: Record<string, string>[], tally: Tally): Promise<void> {
  const deadline = Date.now() + RESEND_TIMEOUT_MS;
  while (true) {
    const answer = await send(items);
    tally.count(answer);
    if (answer.status === 200) {
      assertAllTaken(answer);
      return;
    }
    if (Date.now() > deadline) throw new Error(`batch not acknowledged within ${RESEND_TIMEOUT_MS} ms: last answer ${JSON.stringify(answer)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function assertAllTaken(answer: Answer): void {
  if (answer.status !== 200) return;
  const odd = answer.results.filter((r) => !['applied', 'duplicate', 'unmatched'].includes(r.status));
  assert.deepEqual(odd.slice(0, 3), [], 'every item of a good batch is applied or a duplicate');
}

class Tally {
  readonly answers = new Map<string, number>();
  serverKills = 0;
  postgresKills = 0;
  /** The crash came after the commit and before the answer: the resend found it done. */
  committedUnacknowledged = 0;
  rolledBack = 0;
  /** The kill came too late: the batch had been answered already. */
  acknowledgedBeforeKill = 0;

  count(answer: Answer): void {
    const key = String(answer.status);
    this.answers.set(key, (this.answers.get(key) ?? 0) + 1);
  }
}

test(`kill -9 of the server or PostgreSQL in the middle of ${TRIALS} batches of ${BATCH}: all-or-nothing, each notification one effect`, { timeout: 120_000 + (TRIALS + EXTRA_TRIALS) * 30_000 }, async () => {
  const testStarted = performance.now();
  const rnd = random(SEED);
  const wallets = Array.from({ length: MERCHANTS }, (_, i) => enrolment(i + 1).walletUserId);
  // a day squeezed into the last 40 hours: several business days, all still inside the 48-hour collection window
  const day = recentPayments({ merchantWallets: wallets, payments: (TRIALS + EXTRA_TRIALS + 1) * BATCH, payers: 60_000, seed: SEED, end: new Date(Date.now() - 60_000), spanMs: 40 * 3_600_000 });
  // one clean batch, then one batch a trial (retries and refunds made the day a little longer)
  const fields = day.slice(0, (TRIALS + EXTRA_TRIALS + 1) * BATCH);
  const notifications = parseAll(fields, new Date());
  const model = new AccrualModel(new Set(wallets));
  const tally = new Tally();

  // the first batch is sent whole: how long a batch takes here sets the range of kill moments
  const started = performance.now();
  await resend(fields.slice(0, BATCH), tally);
  const batchMs = performance.now() - started;
  model.apply(notifications.slice(0, BATCH));

  const midBatch = { server: 0, postgres: 0 };
  let sent = BATCH;
  for (let from = BATCH, trial = 1; from < fields.length; from += BATCH, trial++) {
    if (trial > TRIALS && midBatch.server > 0 && midBatch.postgres > 0) break;
    sent = from + BATCH;
    const items = fields.slice(from, from + BATCH);
    const earned = model.apply(notifications.slice(from, from + BATCH));
    const victim = (from / BATCH) % 2 === 1 ? 'server' : 'postgres';
    const killAfterMs = (0.1 + rnd()) * batchMs;
    const answered = send(items);
    await new Promise((r) => setTimeout(r, killAfterMs));
    if (victim === 'server') {
      tally.serverKills++;
      await api.process.kill();
    } else {
      tally.postgresKills++;
      await postgres.kill();
    }
    const answer = await answered;
    tally.count(answer);
    assertAllTaken(answer);
    if (victim === 'postgres') {
      assert.ok(api.process.alive, `the server outlived PostgreSQL:\n${api.process.tail}`);
      await postgres.restart();
    } else await serverSessionsGone();

    const held = await earnedInDatabase(earned);
    assert.ok(held === 0 || held === earned.length, `batch at ${from}: ${held} of its ${earned.length} earning trades are in the database after the ${victim} was killed`);
    if (answer.status === 200) {
      assert.equal(held, earned.length, 'an acknowledged batch is in the database');
      tally.acknowledgedBeforeKill++;
    } else {
      midBatch[victim]++;
      if (held > 0) tally.committedUnacknowledged++;
      else tally.rolledBack++;
    }

    if (victim === 'server') api = await startApi();
    if (answer.status !== 200) await resend(items, tally);
  }

  const unexpected = [...tally.answers.keys()].filter((s) => s !== '200' && s !== '503' && s !== 'no answer');
  console.log(
    `crash test: ${TRIALS} trials in ${((performance.now() - testStarted) / 1000).toFixed(0)} s (${tally.serverKills} server, ${tally.postgresKills} PostgreSQL kills; batch ${Math.round(batchMs)} ms), ` +
      `${tally.committedUnacknowledged} committed but unacknowledged, ${tally.rolledBack} rolled back, ${tally.acknowledgedBeforeKill} answered before the kill; ` +
      `answers ${JSON.stringify(Object.fromEntries(tally.answers))}; ${sent} notifications, ${model.earnedByTrade().size} earning trades`,
  );
  assert.deepEqual(unexpected, [], 'no answer but 200, or 503 while PostgreSQL is away');
  assert.ok(midBatch.server > 0 && midBatch.postgres > 0, `each victim killed mid-batch at least once: ${JSON.stringify(midBatch)} (CAREPOINTS_CRASH_SEED=${SEED})`);

  const pool = createPool(databaseUrl, 2);
  try {
    await assertLedgerMatchesModel(pool, model);
    await assertLedgerInvariants(pool);
    await assertLotsMatchLedger(pool);
  } finally {
    await pool.end();
  }
  console.log('crash test: 0 lost and 0 doubled effects; ledger invariants and lots hold');
});
