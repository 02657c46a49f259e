/**
 * Issue 12, part 2: three `carepoints serve` and two `carepoints worker` processes on one database.
 * Payments come in through all three APIs at once, claims are submitted to each and paid by the
 * workers; a sign-in, a rate limit and an idempotent create span processes (so none of them lives in
 * one process's memory); credit left uncollected past its window is lapsed by the periodic sweeps of
 * five processes, and must be lapsed once. Afterwards: the ledger equals the rules, its invariants
 * hold, and the credit lots equal the ledger.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ensureWebBuild } from '../../src/http/web-build.ts';
import { importEnrolments } from '../../src/merchants/store.ts';
import { ingestPayments } from '../../src/payments/ingest.ts';
import type { SandboxGateway } from '../../src/payouts/index.ts';
import { AccrualModel, assertLedgerMatchesModel, parseAll, recentPayments } from '../support/accrual-model.ts';
import { OPS_KEY, PLATFORM_KEY } from '../support/app.ts';
import { ApiProcess, CarepointsProcess, carepointsEnv } from '../support/carepoints-process.ts';
import { invoicePhoto, multipart, waitForClaim } from '../support/claims.ts';
import { earnAndCollect } from '../support/credit.ts';
import { assertLotsMatchLedger } from '../support/credit-invariants.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { enrolment, TEST_ID_HASH_KEY } from '../support/fixtures.ts';
import { assertLedgerInvariants } from '../support/ledger-invariants.ts';
import { notification, payerWallet } from '../support/payments.ts';
import { startSandboxWallet } from '../support/sandbox-wallet.ts';

const MERCHANTS = 1_500;
const PAYMENTS = 12_000;
const BATCH = 1_000;
const CLAIMANT_NAMES = ['张伟', '王芳', '李娜'];
const CLAIMANTS = CLAIMANT_NAMES.map((name, i) => enrolment(5_001 + i, { legalName: name }));
// merchants whose credit, earned three days ago, was never collected: the sweeps lapse it
const LAPSERS = Array.from({ length: 20 }, (_, i) => enrolment(6_001 + i));
const PAYERS_PER_LAPSER = 3;
const DAY_MS = 86_400_000;
const PERIODIC_LINE = /uncollected credits lapsed/;

let db: TestDatabase;
let sandbox: SandboxGateway;
let filesDir: string;
const apis: ApiProcess[] = [];
const workers: CarepointsProcess[] = [];
const load = Array.from({ length: MERCHANTS }, (_, i) => enrolment(i + 1));

before(async () => {
  await ensureWebBuild();
  db = await createTestDatabase();
  filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carepoints-files-'));
  const all = [...load, ...CLAIMANTS, ...LAPSERS];
  await importEnrolments(db.pool, all.map((input, i) => ({ line: i + 2, input })), TEST_ID_HASH_KEY, { skipDuplicates: false });
  const idOf = async (wallet: string) => (await db.pool.query<{ merchant_id: number }>('SELECT merchant_id FROM merchants WHERE wallet_user_id = $1', [wallet])).rows[0]!.merchant_id;
  // claimants earned and collected 40 days ago: before any generated visit, still valid
  for (const c of CLAIMANTS) await earnAndCollect(db.pool, { id: await idOf(c.walletUserId), walletUserId: c.walletUserId }, 5, new Date(Date.now() - 40 * DAY_MS));
  const threeDaysAgo = new Date(Date.now() - 3 * DAY_MS);
  await ingestPayments(
    db.pool,
    LAPSERS.flatMap((m, i) => Array.from({ length: PAYERS_PER_LAPSER }, (_, p) => notification({ tradeNo: `LAPSE${i}x${p}`, sellerId: m.walletUserId, buyerId: payerWallet(700_000 + i * 10 + p), gmtPayment: threeDaysAgo }))),
  );

  const wallet = await startSandboxWallet();
  sandbox = wallet.sandbox;
  const env = carepointsEnv(db.url, { LOG_LEVEL: 'info', CAREPOINTS_FILES_DIR: filesDir, ...wallet.env });
  const started = await Promise.all([1, 2, 3].map((n) => ApiProcess.start(`api-${n}`, env, PERIODIC_LINE)));
  apis.push(...started);
  for (const n of [1, 2]) workers.push(CarepointsProcess.spawn(`worker-${n}`, ['worker'], { ...env, CAREPOINTS_WORKERS: '1' }, PERIODIC_LINE));
  await Promise.all(workers.map((w) => w.waitFor(/worker running/)));
});

after(async () => {
  // a process may finish the job it holds first (an OCR page on two busy cores): up to the 30 s stop
  // deadline of `carepoints worker` (src/cli/worker.ts), after which it exits 1 by itself
  const codes = await Promise.all([...apis.map((a) => a.process), ...workers].map((p) => p.stop(35_000)));
  await sandbox?.close();
  await db?.close();
  if (filesDir) fs.rmSync(filesDir, { recursive: true, force: true });
  assert.deepEqual(codes, codes.map(() => 0), 'every process stops cleanly on SIGTERM');
});

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function call(api: ApiProcess, method: string, url: string, init: { headers?: Record<string, string>; json?: unknown; body?: Buffer } = {}) {
  const headers = { ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers };
  const res = await fetch(`${api.url}${url}`, { method, headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.body });
  const text = await res.text();
  return { status: res.status, body: text, json: () => JSON.parse(text) as Record<string, unknown> };
}

/** How much each process's periodic rounds lapsed, from their logs (pino JSON or the worker's text). */
function lapsedByProcess(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of [...apis.map((a) => a.process), ...workers]) out[p.name] = p.kept.reduce((sum, line) => sum + Number(/"count":(\d+)/.exec(line)?.[1] ?? 0), 0);
  return out;
}

test('three APIs and two workers on one database: payments through every API, claims paid, sessions, limits and idempotency shared, sweeps once', { timeout: 600_000 }, async () => {
  const started = performance.now();
  // payments through all three APIs at once, one sender each (order-independent amounts: see the model)
  const day = recentPayments({ merchantWallets: load.map((m) => m.walletUserId), payments: PAYMENTS, payers: 30_000, seed: 5, orderIndependent: true, end: new Date(Date.now() - 60_000), spanMs: 40 * 3_600_000 });
  const model = new AccrualModel(new Set(load.map((m) => m.walletUserId)));
  model.apply(parseAll(day, new Date()));
  const statuses: number[] = [];
  await Promise.all(
    apis.map(async (api, a) => {
      for (let from = a * BATCH; from < day.length; from += apis.length * BATCH) {
        const res = await call(api, 'POST', '/v1/payments:batch', { headers: bearer(PLATFORM_KEY), json: day.slice(from, from + BATCH) });
        statuses.push(res.status);
        assert.equal(res.status, 200, res.body);
      }
    }),
  );
  const paymentSeconds = (performance.now() - started) / 1000;

  // claims submitted to each API; the two workers read and pay them
  const claimIds: string[] = [];
  for (const [i, c] of CLAIMANTS.entries()) {
    const merchantId = (await db.pool.query<{ merchant_id: number }>('SELECT merchant_id FROM merchants WHERE wallet_user_id = $1', [c.walletUserId])).rows[0]!.merchant_id;
    const photo = await invoicePhoto(100 + i, c.legalName);
    const form = multipart([
      { field: 'merchantId', value: String(merchantId) },
      { field: 'invoice', filename: 'invoice.jpg', type: 'image/jpeg', bytes: photo.image },
    ]);
    const res = await call(apis[i]!, 'POST', '/v1/claims', { headers: { ...bearer(OPS_KEY), ...form.headers }, body: form.payload });
    assert.equal(res.status, 201, res.body);
    claimIds.push(res.json().id as string);
  }

  // an idempotent create sent to two processes makes one merchant
  const newcomer = enrolment(9_001);
  const created = await Promise.all(apis.slice(0, 2).map((api) => call(api, 'POST', '/v1/merchants', { headers: { ...bearer(OPS_KEY), 'idempotency-key': 'many-processes-1' }, json: newcomer })));
  assert.deepEqual(created.map((r) => r.status).sort(), [201, 201], created.map((r) => r.body).join('\n'));
  assert.equal(created[0]!.json().id, created[1]!.json().id, 'the same merchant from both processes');

  // a code asked of one process, read and redeemed at another, the session used at the third; the
  // one-code-a-minute limit holds across them
  const phone = newcomer.phone;
  assert.equal((await call(apis[0]!, 'POST', '/v1/auth/otp', { json: { phone } })).status, 202);
  assert.equal((await call(apis[1]!, 'POST', '/v1/auth/otp', { json: { phone } })).status, 429, 'the rate limit is shared');
  let code: string | undefined;
  for (let i = 0; i < 50 && !code; i++) {
    const sent = await call(apis[1]!, 'GET', `/v1/dev/otp?phone=${phone}`);
    if (sent.status === 200) code = sent.json().code as string;
    else await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(code, 'the code sent by one process is readable at another');
  const session = await call(apis[1]!, 'POST', '/v1/auth/sessions', { json: { phone, code, client: 'api' } });
  assert.equal(session.status, 201, session.body);
  const own = await call(apis[2]!, 'GET', `/v1/merchants/${session.json().merchantId as string}/balance`, { headers: bearer(session.json().token as string) });
  assert.equal(own.status, 200, own.body);

  const outcomes = await Promise.all(claimIds.map((id) => waitForClaim(db.pool, id, ['paid', 'rejected', 'in_review', 'photo_requested'], 300_000))).catch((err: Error) => {
    throw new Error(`${err.message}\n${workers.map((w) => `--- ${w.name} printed last:\n${w.tail}`).join('\n')}`);
  });
  assert.deepEqual(outcomes, claimIds.map(() => 'paid'));

  // the sweeps of five processes lapse each uncollected lot once
  const lapsableLots = LAPSERS.length * (PAYERS_PER_LAPSER + 1);
  const deadline = Date.now() + 120_000;
  const lapsed = async () => (await db.pool.query<{ n: number }>("SELECT count(*)::int n FROM credit_lots WHERE state = 'lapsed'")).rows[0]!.n;
  while ((await lapsed()) < lapsableLots) {
    if (Date.now() > deadline) throw new Error(`only ${await lapsed()} of ${lapsableLots} lots lapsed within two minutes`);
    await new Promise((r) => setTimeout(r, 500));
  }
  // the database shows the lapses as soon as they commit; each process's log line follows through its pipe
  const logged = () => Object.values(lapsedByProcess()).reduce((a, b) => a + b, 0);
  await CarepointsProcess.untilKept([...apis.map((a) => a.process), ...workers], () => logged() >= lapsableLots, 60_000, () => JSON.stringify(lapsedByProcess()));
  const byProcess = lapsedByProcess();
  assert.equal(
    Object.values(byProcess).reduce((a, b) => a + b, 0),
    lapsableLots,
    `each lot lapsed by exactly one process: ${JSON.stringify(byProcess)}`,
  );
  const lapseTransfers = (await db.pool.query<{ n: number }>("SELECT count(*)::int n FROM ledger_transfers WHERE code = 'lapse'")).rows[0]!.n;
  assert.equal(lapseTransfers, lapsableLots, 'one lapse transfer a lot');

  await assertLedgerMatchesModel(db.pool, model, { perTrade: false });
  await assertLedgerInvariants(db.pool);
  await assertLotsMatchLedger(db.pool);
  console.log(
    `many processes: ${day.length} notifications through 3 APIs in ${paymentSeconds.toFixed(1)} s (${statuses.length} batches, all 200); ` +
      `${claimIds.length} claims paid by 2 workers; ${lapsableLots} lots lapsed by ${JSON.stringify(byProcess)}; ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
});
