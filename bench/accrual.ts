/**
 * `npm run bench:accrual`: a realistic day of payment notifications (skewed payers, regulars,
 * tiny payments, refunds, retried deliveries) pushed end to end through (a) the batch API over HTTP,
 * (b) NATS JetStream and (c) the signed webhook under concurrent load (autocannon), each into its own
 * database on one embedded PostgreSQL. After each run the ledger is compared with what the pure rules
 * compute for the same input. Sizes: BENCH_MERCHANTS, BENCH_PAYMENTS, BENCH_WEBHOOK_REQUESTS, BENCH_WEBHOOK_CONNECTIONS (64); concurrent
 * batch senders: BENCH_BATCH_CLIENTS (default 2). With CAREPOINTS_CITUS_URL (a Citus coordinator),
 * the batch and JetStream paths run on that cluster instead, distributed by the sharding plan, and
 * each batch's spread over the workers is reported (the raw-insert baseline stays on one PostgreSQL).
 */
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from '@nats-io/transport-node';
import type pg from 'pg';
import { createPool, ensureDatabase } from '../src/db/database.ts';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { buildApp } from '../src/server/app.ts';
import { importEnrolments } from '../src/merchants/store.ts';
import { decide, type MerchantAccrualContext, type TradeState } from '../src/payments/accrual.ts';
import { startJetStreamIngest } from '../src/payments/jetstream-ingest.ts';
import { JetStreamRelay } from '../src/payments/relay.ts';
import type { NotificationSink } from '../src/payments/sink.ts';
import { ensurePaymentsStream, publishPayments } from '../src/payments/jetstream.ts';
import { jetstreamManager } from '@nats-io/jetstream';
import { parseNotification, type PaymentNotification } from '../src/payments/notification.ts';
import { CLASSIC_2019 } from '../src/points/accrual-rules.ts';
import { signRsa2 } from '../src/shared/rsa2.ts';
import { generatePaymentDay } from '../sim/payments.ts';
import { assertLedgerInvariants } from '../test/support/ledger-invariants.ts';
import { enrolment } from '../test/support/fixtures.ts';
import { startNatsServer } from '../test/support/nats.ts';
import { writeBenchResult } from './results.ts';
import { CITUS_URL, createCitusDatabase, dropCitusDatabase } from '../test/support/citus.ts';

const MERCHANTS = Number(process.env.BENCH_MERCHANTS ?? 20_000);
const PAYMENTS = Number(process.env.BENCH_PAYMENTS ?? 100_000);
/**
 * worst: every merchant sees a handful of payers, so almost every notification earns (~5 payments a
 * merchant). realistic: the same payments over a tenth of the merchants, busy stalls with hundreds of
 * payers and regulars among fewer payers, so most notifications earn nothing.
 */
const MIXES = (process.env.BENCH_MIX ?? 'realistic,worst').split(',') as Mix[];
type Mix = 'realistic' | 'worst';
const WEBHOOK_REQUESTS = Number(process.env.BENCH_WEBHOOK_REQUESTS ?? 10_000);
const WEBHOOK_CONNECTIONS = Number(process.env.BENCH_WEBHOOK_CONNECTIONS ?? 64);
const BATCH = 8_000;
const BATCH_CLIENTS = Number(process.env.BENCH_BATCH_CLIENTS ?? 2);
const OPS_KEY = 'bench_ops_key_0123456789abcdefghij';
const PLATFORM_KEY = 'bench_platform_key_0123456789abcdef';
for (const [name, v] of Object.entries({ MERCHANTS, PAYMENTS, BATCH_CLIENTS, WEBHOOK_CONNECTIONS })) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`BENCH_${name} must be a positive integer`);
}
if (!Number.isInteger(WEBHOOK_REQUESTS) || (WEBHOOK_REQUESTS !== 0 && WEBHOOK_REQUESTS < WEBHOOK_CONNECTIONS)) throw new Error('BENCH_WEBHOOK_REQUESTS must be 0 (skip the webhook) or at least BENCH_WEBHOOK_CONNECTIONS (one a connection)');
if (MIXES.some((m) => m !== 'realistic' && m !== 'worst')) throw new Error('BENCH_MIX must list realistic and/or worst, comma-separated');

const wallets = Array.from({ length: MERCHANTS }, (_, i) => enrolment(i + 1).walletUserId);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carepoints-bench-accrual-'));
const server = await startEmbeddedPostgres({ dir });
const pools: pg.Pool[] = [];

const citusDatabases: string[] = [];

async function freshDatabase(name: string): Promise<pg.Pool> {
  const citusName = `${name}_${process.pid}`;
  if (CITUS_URL) citusDatabases.push(citusName);
  const url = CITUS_URL ? await createCitusDatabase(CITUS_URL, citusName, (u) => createPool(u, 2)) : await ensureDatabase(server.url, name);
  const pool = createPool(url, 8);
  pools.push(pool);
  await migrate(pool);
  await importEnrolments(pool, wallets.map((_, i) => ({ line: i + 2, input: enrolment(i + 1) })), 'bench-id-hash-key-0123456789abcdef0123', { skipDuplicates: false });
  return pool;
}

function parsed(fields: Record<string, string>[]): PaymentNotification[] {
  return fields.map((f) => {
    const p = parseNotification(f);
    if (!p.ok) throw new Error(`generator produced a bad notification: ${p.message}`);
    return p.notification;
  });
}

/** What the pure rules give each merchant's pending credit for this sequence. */
function modelPending(stream: PaymentNotification[]): Map<string, number> {
  const contexts = new Map<string, MerchantAccrualContext>();
  const trades = new Map<string, TradeState>();
  const pending = new Map<string, number>();
  const enrolled = new Set(wallets);
  for (const n of stream) {
    if (!enrolled.has(n.sellerId)) continue;
    const ctx = contexts.get(n.sellerId) ?? { merchantId: 0, walletUserId: n.sellerId, welcomed: false, dayPayers: new Map() };
    contexts.set(n.sellerId, ctx);
    const d = decide(trades.get(n.tradeNo) ?? null, n, ctx, CLASSIC_2019, 1, { payerMerchantId: null, reversePayment: false, payerMerchantsToday: 0 });
    trades.set(n.tradeNo, d.next);
    const delta = d.effects.reduce((s, e) => s + (e.kind === 'earn' ? e.amountFen : -e.amountFen), 0);
    if (delta) pending.set(n.sellerId, (pending.get(n.sellerId) ?? 0) + delta);
  }
  return pending;
}

async function consistent(pool: pg.Pool, stream: PaymentNotification[]): Promise<boolean> {
  const expected = modelPending(stream);
  const { rows } = await pool.query<{ wallet_user_id: string; pending: number }>(
    `SELECT m.wallet_user_id, a.credits_posted - a.debits_posted + a.credits_pending AS pending
       FROM merchants m JOIN ledger_accounts a ON a.merchant_id = m.merchant_id AND a.kind = 'merchant_pending'`,
  );
  let ok = true;
  for (const r of rows) {
    if (r.pending !== (expected.get(r.wallet_user_id) ?? 0)) {
      if (ok) console.error(`mismatch for ${r.wallet_user_id}: ledger ${r.pending}, rules ${expected.get(r.wallet_user_id) ?? 0}`);
      ok = false;
    }
  }
  try {
    await assertLedgerInvariants(pool);
  } catch (err) {
    console.error((err as Error).message);
    ok = false;
  }
  return ok;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
interface Row {
  path: string;
  mix: Mix;
  notifications: number;
  seconds: number;
  perS: number;
  p50Ms: number;
  p99Ms: number;
  consistent: boolean;
  note: string;
}
const rows: Row[] = [];

async function listen(pool: pg.Pool, publicKey: ReturnType<typeof generateKeyPairSync>['publicKey'] | null, notificationSink?: NotificationSink) {
  const app = await buildApp({
    pool,
    apiKeys: new Map([[OPS_KEY, 'ops'], [PLATFORM_KEY, 'platform']]),
    idHashKey: 'bench-id-hash-key-0123456789abcdef0123',
    platformPublicKey: publicKey,
    ...(notificationSink && { notificationSink }),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return { app, url: `http://127.0.0.1:${address.port}` };
}

/**
 * The ceiling this machine puts on any path: plain batched INSERTs of payment-sized rows (unnest of
 * 8,000 rows a statement, one transaction each, no rules, no indexes but the key), measured in the
 * same run so that each path's figure can be read as a ratio to it.
 */
async function rawInsertBaseline(rowsTotal: number): Promise<number> {
  const pool = createPool(await ensureDatabase(server.url, 'bench_baseline'), 4);
  pools.push(pool);
  await pool.query('CREATE TABLE IF NOT EXISTS raw_payments (trade_no text PRIMARY KEY, seller_id text, buyer_id text, total_fen bigint, paid_at timestamptz)');
  const start = performance.now();
  for (let i = 0; i < rowsTotal; i += BATCH) {
    const n = Math.min(BATCH, rowsTotal - i);
    const ids = Array.from({ length: n }, (_, k) => `raw${i + k}`);
    await pool.query(
      `INSERT INTO raw_payments SELECT t, '2088000000000001', '2088500000000001', 1000, now() FROM unnest($1::text[]) AS t`,
      [ids],
    );
  }
  return Math.round(rowsTotal / ((performance.now() - start) / 1000));
}

function dayFor(mix: Mix): Record<string, string>[] {
  return mix === 'worst'
    ? generatePaymentDay({ merchantWallets: wallets, payments: PAYMENTS, payers: PAYMENTS * 2, day: '2026-11-20', seed: 7 })
    : generatePaymentDay({ merchantWallets: wallets.slice(0, Math.max(1, Math.floor(MERCHANTS / 10))), payments: PAYMENTS, payers: Math.max(10, Math.floor(PAYMENTS / 5)), day: '2026-11-20', seed: 7 });
}

/** The share of notifications that earn credit under the rules: what separates the two mixes. */
function earningShare(stream: PaymentNotification[]): number {
  const contexts = new Map<string, MerchantAccrualContext>();
  const trades = new Map<string, TradeState>();
  let earning = 0;
  for (const n of stream) {
    const ctx = contexts.get(n.sellerId) ?? { merchantId: 0, walletUserId: n.sellerId, welcomed: false, dayPayers: new Map() };
    contexts.set(n.sellerId, ctx);
    const d = decide(trades.get(n.tradeNo) ?? null, n, ctx, CLASSIC_2019, 1, { payerMerchantId: null, reversePayment: false, payerMerchantsToday: 0 });
    trades.set(n.tradeNo, d.next);
    if (d.effects.length) earning++;
  }
  return earning / stream.length;
}

// (a) the batch API: batches of 8,000, JSON over HTTP, from BATCH_CLIENTS concurrent senders that
// each own a share of the merchants (as the platform partitions by payee), so every merchant's
// notifications still arrive in order
async function batchPath(mix: Mix, day: Record<string, string>[], stream: PaymentNotification[]): Promise<Row> {
  const pool = await freshDatabase(`bench_batch_${mix}`);
  const { app, url } = await listen(pool, null);
  const shares = Array.from({ length: BATCH_CLIENTS }, (_, c) => day.filter((f) => Number(f.seller_id!.slice(-6)) % BATCH_CLIENTS === c));
  const files = shares.map((share, c) => {
    const file = path.join(dir, `batches-${mix}-${c}.json`);
    fs.writeFileSync(file, JSON.stringify(Array.from({ length: Math.ceil(share.length / BATCH) }, (_, b) => share.slice(b * BATCH, (b + 1) * BATCH))));
    return file;
  });
  const { seconds, latenciesMs: latencies } = await childJson<{ seconds: number; latenciesMs: number[] }>('batch-senders.ts', [`${url}/v1/payments:batch`, PLATFORM_KEY, ...files]);
  await app.close();
  latencies.sort((a, b) => a - b);
  const spread = CITUS_URL ? `; ${await workerSpread(pool, shares[0]!.slice(0, BATCH))}` : '';
  return { path: 'batch', mix, notifications: day.length, seconds, perS: Math.round(day.length / seconds), p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99), consistent: await consistent(pool, stream), note: `per batch of ${BATCH}, ${BATCH_CLIENTS} senders in their own process${spread}` };
}

/** On Citus: how many shards and workers one batch's merchants live on, and what the database parked. */
async function workerSpread(pool: pg.Pool, batch: Record<string, string>[]): Promise<string> {
  const { rows } = await pool.query<{ shards: number; nodes: number; workers: number; parked: number }>(
    `WITH batch AS (SELECT DISTINCT w.merchant_id FROM merchant_wallets w WHERE w.wallet_user_id = ANY($1::text[])),
          shard AS (SELECT DISTINCT get_shard_id_for_distribution_column('merchants', b.merchant_id) AS shardid FROM batch b)
     SELECT (SELECT count(*) FROM shard)::int AS shards,
            (SELECT count(DISTINCT s.nodeport) FROM citus_shards s JOIN shard USING (shardid))::int AS nodes,
            (SELECT count(*) FROM citus_get_active_worker_nodes())::int AS workers,
            (SELECT count(*) FROM parked_notifications)::int AS parked`,
    [[...new Set(batch.map((f) => f.seller_id!))]],
  );
  const r = rows[0]!;
  return `a batch's merchants on ${r.shards} shards, ${r.nodes} of ${r.workers} workers (a two-phase commit across them); ${r.parked} parked`;
}

/** A JetStream consumer applying into `pool` that counts what it applied, and says when a count is reached. */
async function countingConsumer(pool: pg.Pool, servers: string) {
  const latencies: number[] = [];
  let applied = 0;
  const waiters: { count: number; resolve: () => void }[] = [];
  const log = {
    info: (o: object) => {
      const b = o as { messages: number; ms: number };
      latencies.push(b.ms);
      applied += b.messages;
      for (const w of waiters.filter((x) => applied >= x.count)) w.resolve();
    },
    warn: () => {},
    error: (o: object, m: string) => console.error(m, o),
  };
  const consumer = await startJetStreamIngest(pool, { servers, batchSize: BATCH, log });
  const appliedReaches = (count: number) => (applied >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve })));
  return { consumer, latencies, appliedReaches };
}

// (b) JetStream: publish the day, then consume it in batches of 8,000 (one transaction each, acked after commit)
async function jetstreamPath(mix: Mix, day: Record<string, string>[], stream: PaymentNotification[]): Promise<Row> {
  const pool = await freshDatabase(`bench_jetstream_${mix}`);
  const nats = await startNatsServer();
  try {
    const nc = await connect({ servers: nats.url, noAsyncTraces: true });
    await ensurePaymentsStream(await jetstreamManager(nc));
    const publishStart = performance.now();
    const published = await publishPayments(nc, day);
    const publishSeconds = (performance.now() - publishStart) / 1000;
    await nc.close();
    const start = performance.now();
    const { consumer, latencies, appliedReaches } = await countingConsumer(pool, nats.url);
    await appliedReaches(published.published);
    const seconds = (performance.now() - start) / 1000;
    await consumer.stop();
    latencies.sort((a, b) => a - b);
    // the broker drops the retried deliveries (same message id): the database sees each once
    const seen = new Set<Record<string, string>>();
    const delivered = stream.filter((_, i) => !seen.has(day[i]!) && Boolean(seen.add(day[i]!)));
    return {
      path: 'jetstream',
      mix,
      notifications: published.published,
      seconds,
      perS: Math.round(published.published / seconds),
      p50Ms: quantile(latencies, 0.5),
      p99Ms: quantile(latencies, 0.99),
      consistent: await consistent(pool, delivered),
      note: `per batch; publish ${Math.round(day.length / publishSeconds)}/s, ${published.duplicates} duplicates dropped by the broker`,
    };
  } finally {
    await nats.stop();
  }
}

// (c) the webhook: one signed form-encoded notification per request, 64 connections. The load
// generator (autocannon) runs in its own process, as a platform's senders would; the server's HTTP
// floor is measured by the same generator in the same run (GET /healthz), and the webhook given as a
// ratio to it.
interface LoadResult { ok2xx: number; non2xx: number; errors: number; seconds: number; p50Ms: number; p99Ms: number }

/** Runs a load generator of bench/support in its own process and reads the JSON line it ends with. */
async function childJson<T>(script: string, args: readonly string[]): Promise<T> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'support', script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`${script} exited with ${code}`);
  return JSON.parse(out.trim().split('\n').at(-1)!) as T;
}

async function httpLoad(url: string, requests: number, bodies?: readonly string[]): Promise<LoadResult> {
  const file = bodies ? path.join(dir, 'webhook-bodies.txt') : null;
  if (file) fs.writeFileSync(file, bodies!.join('\n') + '\n');
  return childJson<LoadResult>('http-load.ts', [url, String(WEBHOOK_CONNECTIONS), String(requests), ...(file ? [file] : [])]);
}

/**
 * The webhook two ways, each into its own database: group commit in the server's process (each
 * request answered after its batch's transaction), and relayed to JetStream (answered once the
 * stream holds it; a consumer in the server's process applies the stream, as `serve` with
 * CAREPOINTS_NATS_URL runs). The relay's figure is the requests'; when the last notification was
 * applied is in its note.
 */
async function webhookPath(): Promise<Row[]> {
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const webhookDay = generatePaymentDay({ merchantWallets: wallets, payments: WEBHOOK_REQUESTS, payers: WEBHOOK_REQUESTS * 2, day: '2026-11-21', seed: 11, orderIndependent: true, retryShare: 0 });
  const bodies = webhookDay.map((f) => new URLSearchParams({ ...f, sign_type: 'RSA2', sign: signRsa2(f, keys.privateKey) }).toString());
  const row = (pathName: string, r: LoadResult, consistentRun: boolean, note = ''): Row => ({
    path: pathName,
    mix: 'worst',
    notifications: r.ok2xx,
    seconds: r.seconds,
    perS: Math.round(r.ok2xx / r.seconds),
    p50Ms: r.p50Ms,
    p99Ms: r.p99Ms,
    consistent: consistentRun,
    note: `${WEBHOOK_CONNECTIONS} connections, autocannon in its own process; ${r.non2xx} non-2xx${note}`,
  });
  const answeredAll = (r: LoadResult) => r.ok2xx === bodies.length && r.non2xx === 0 && r.errors === 0;

  const pool = await freshDatabase('bench_webhook');
  const direct = await listen(pool, keys.publicKey);
  const floor = await httpLoad(`${direct.url}/healthz`, WEBHOOK_REQUESTS);
  const result = await httpLoad(`${direct.url}/v1/notify/payment`, bodies.length, bodies);
  await direct.app.close();
  const rows = [row('http_floor', floor, floor.non2xx === 0), row('webhook', result, answeredAll(result) && (await consistent(pool, parsed(webhookDay))))];

  const relayPool = await freshDatabase('bench_webhook_relay');
  const nats = await startNatsServer();
  try {
    const relay = await JetStreamRelay.connect({ servers: nats.url });
    const { consumer, appliedReaches } = await countingConsumer(relayPool, nats.url);
    const relayed = await listen(relayPool, keys.publicKey, relay);
    const start = performance.now();
    const answered = await httpLoad(`${relayed.url}/v1/notify/payment`, bodies.length, bodies);
    await appliedReaches(bodies.length);
    const appliedSeconds = (performance.now() - start) / 1000;
    await relayed.app.close();
    await relay.close();
    await consumer.stop();
    const note = `; every one applied ${appliedSeconds.toFixed(2)} s after the first request (${Math.round(bodies.length / appliedSeconds)}/s)`;
    rows.push(row('webhook_relay', answered, answeredAll(answered) && (await consistent(relayPool, parsed(webhookDay))), note));
  } finally {
    await nats.stop();
  }
  return rows;
}

try {
  const baseline = await rawInsertBaseline(PAYMENTS);
  console.log(`baseline: plain batched INSERTs ${baseline} rows/s`);
  for (const mix of MIXES) {
    const day = dayFor(mix);
    const stream = parsed(day);
    console.log(`${mix} day: ${day.length} notifications (${PAYMENTS} payments, retries and refunds); ${(earningShare(stream) * 100).toFixed(0)}% of them earn`);
    rows.push(await batchPath(mix, day, stream));
    rows.push(await jetstreamPath(mix, day, stream));
  }
  if (WEBHOOK_REQUESTS > 0) rows.push(...(await webhookPath()));

  console.log(`\ncpus: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}; ${CITUS_URL ? `Citus cluster at ${new URL(CITUS_URL).host} (batch and JetStream paths)` : 'embedded PostgreSQL (fsync on)'}; ${MERCHANTS} merchants\n`);
  console.log('| path | mix | notifications | seconds | per s | ratio to raw inserts | p50 ms | p99 ms | consistent | note |');
  console.log('|---|---|--:|--:|--:|--:|--:|--:|---|---|');
  for (const r of rows) console.log(`| ${r.path} | ${r.mix} | ${r.notifications} | ${r.seconds.toFixed(2)} | ${r.perS} | ${(r.perS / baseline).toFixed(2)} | ${r.p50Ms.toFixed(1)} | ${r.p99Ms.toFixed(1)} | ${r.consistent} | ${r.note} |`);
  console.log('');
  console.log(`bench=accrual path=baseline per_s=${baseline}`);
  for (const r of rows) console.log(`bench=accrual path=${r.path} mix=${r.mix} per_s=${r.perS} ratio=${(r.perS / baseline).toFixed(2)} p50_ms=${r.p50Ms.toFixed(1)} p99_ms=${r.p99Ms.toFixed(1)} consistent=${r.consistent}`);
  const floor = rows.find((r) => r.path === 'http_floor');
  const webhook = rows.find((r) => r.path === 'webhook');
  for (const w of [webhook, rows.find((r) => r.path === 'webhook_relay')]) {
    if (floor && w) console.log(`bench=accrual path=${w.path} requests_per_s=${w.perS} ratio_to_http_floor=${(w.perS / floor.perS).toFixed(2)} (GET /healthz ${floor.perS}/s, the same generator and connections)`);
  }
  // an inconsistent run's rate is not a rate of the product: it is not written
  writeBenchResult('accrual', {
    raw_insert_rows_per_s: { value: baseline, unit: 'rows/s', note: 'plain batched INSERTs, the same run' },
    ...Object.fromEntries(
      rows.filter((r) => r.consistent).map((r) => r.path === 'webhook' || r.path === 'webhook_relay' || r.path === 'http_floor'
        ? [`${r.path}_requests_per_s`, { value: r.perS, unit: 'requests/s', note: r.note }]
        : [`${r.path}_${r.mix}_notifications_per_s`, { value: r.perS, unit: 'notifications/s', note: r.note }]),
    ),
  });
} finally {
  for (const pool of pools) await pool.end();
  if (CITUS_URL) for (const name of citusDatabases) await dropCitusDatabase(CITUS_URL, name);
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
