/**
 * `npm run bench:ledger`: transfers per second through createTransfers for batches of 1, 100,
 * 1,000 and 8,000, on an embedded PostgreSQL with durable settings (fsync on), with 1 and with
 * BENCH_CLIENTS (default 2) concurrent clients. Each transfer credits a random merchant (of
 * BENCH_MERCHANTS) from the hot programme funding account. BENCH_DATABASE_URL points it at
 * another server instead. The machine-readable lines report the BENCH_CLIENTS runs. Baseline, in the
 * same run and database: plain batched INSERTs of transfer-sized rows (8,000 a statement, one
 * transaction each, a primary key and nothing else), by as many clients; each rate is also given as
 * a ratio to it.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPool, ensureDatabase } from '../src/db/database.ts';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { createTransfers, programmeAccountIds, type TransferInput } from '../src/ledger/index.ts';
import { importEnrolments } from '../src/merchants/store.ts';
import { enrolment } from '../test/support/fixtures.ts';
import { writeBenchResult } from './results.ts';

const MERCHANTS = Number(process.env.BENCH_MERCHANTS ?? 100_000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 2);
if (!Number.isInteger(MERCHANTS) || MERCHANTS < 1 || !Number.isInteger(CLIENTS) || CLIENTS < 1 || CLIENTS > 16) {
  throw new Error('BENCH_MERCHANTS must be a positive integer and BENCH_CLIENTS 1..16');
}
const PLAN: { batch: number; transfers: number }[] = [
  { batch: 1, transfers: 3_000 },
  { batch: 100, transfers: 100_000 },
  { batch: 1_000, transfers: 400_000 },
  { batch: 8_000, transfers: 800_000 },
];

/**
 * Plain batched INSERTs of rows shaped like a transfer (an id, two accounts, an amount, a code, a
 * time), 8,000 a statement and a transaction, by `clients` at once: what this machine's PostgreSQL
 * writes with no ledger around it, the ceiling each figure is read against.
 */
async function rawInsertRate(db: pg.Pool, clients: number): Promise<number> {
  await db.query('CREATE TABLE raw_transfers (id uuid PRIMARY KEY, debit bigint NOT NULL, credit bigint NOT NULL, amount bigint NOT NULL, code text NOT NULL, at timestamptz NOT NULL DEFAULT now())');
  const batches = 50;
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next++ < batches) {
        await db.query("INSERT INTO raw_transfers (id, debit, credit, amount, code) SELECT gen_random_uuid(), 1, 8 * g + 2, 200, 'accrual' FROM generate_series(1, 8000) AS g");
      }
    }),
  );
  const perS = Math.round((batches * 8_000) / ((performance.now() - start) / 1000));
  await db.query('DROP TABLE raw_transfers');
  return perS;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carepoints-bench-'));
const server = process.env.BENCH_DATABASE_URL ? null : await startEmbeddedPostgres({ dir });
const url = await ensureDatabase(process.env.BENCH_DATABASE_URL ?? server!.url, `carepoints_bench_${process.pid}`);
const pool = createPool(url, CLIENTS + 2);
try {
  await migrate(pool);
  // the ledger engine alone, as its own tests measure it: credit lots (the points capability, whose
  // agreement with merchant balances the database enforces at commit) are not part of this workload
  await pool.query('ALTER TABLE ledger_accounts DISABLE TRIGGER merchant_credit_matches_lots; ALTER TABLE credit_lots DISABLE TRIGGER credit_lots_match_merchant_credit');
  const t0 = performance.now();
  const rows = Array.from({ length: MERCHANTS }, (_, i) => ({ line: i + 2, input: enrolment(i + 1) }));
  await importEnrolments(pool, rows, 'bench-id-hash-key-0123456789abcdef0123', { skipDuplicates: false });
  console.log(`enrolled ${MERCHANTS} merchants (${MERCHANTS * 3} accounts) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const funding = (await programmeAccountIds(pool)).programme_funding;
  const { rows: accounts } = await pool.query<{ account_id: number }>("SELECT account_id FROM ledger_accounts WHERE kind = 'merchant_available'");
  const available = accounts.map((a) => a.account_id);

  const baseline = await rawInsertRate(pool, CLIENTS);
  console.log(`baseline: plain batched INSERTs of transfer-sized rows, ${CLIENTS} clients: ${baseline} rows/s`);

  const results: { batch: number; clients: number; transfers: number; seconds: number; perS: number; p50Ms: number; p99Ms: number }[] = [];
  for (const { batch, transfers } of PLAN) {
    for (const clients of [...new Set([1, CLIENTS])]) {
      const batches = Array.from({ length: Math.ceil(transfers / batch) }, () =>
        Array.from({ length: batch }, (): TransferInput => ({
          id: randomUUID(),
          debitAccountId: funding,
          creditAccountId: available[Math.floor(Math.random() * available.length)]!,
          amountFen: 200,
          code: 'accrual',
        })),
      );
      const latencies: number[] = [];
      let next = 0;
      const start = performance.now();
      await Promise.all(
        Array.from({ length: clients }, async () => {
          for (let b = batches[next++]; b; b = batches[next++]) {
            const s = performance.now();
            const out = await createTransfers(pool, b);
            latencies.push(performance.now() - s);
            if (out.some((r) => r.status !== 'created')) throw new Error('a benchmark transfer was not created');
          }
        }),
      );
      const seconds = (performance.now() - start) / 1000;
      latencies.sort((a, b) => a - b);
      const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
      const count = batches.length * batch;
      results.push({ batch, clients, transfers: count, seconds, perS: Math.round(count / seconds), p50Ms: at(0.5), p99Ms: at(0.99) });
    }
  }

  const { rows: check } = await pool.query<{ ok: boolean }>('SELECT sum(debits_posted) = sum(credits_posted) AS ok FROM ledger_accounts');
  console.log(`\ncpus: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}; PostgreSQL ${server ? 'embedded (fsync on)' : 'server'}; ${MERCHANTS} merchants; double entry holds: ${check[0]!.ok}\n`);
  console.log('| batch | clients | transfers | seconds | transfers/s | ratio to raw inserts | batch p50 ms | batch p99 ms |');
  console.log('|------:|--------:|----------:|--------:|------------:|--:|-------------:|-------------:|');
  for (const r of results) {
    console.log(`| ${r.batch} | ${r.clients} | ${r.transfers} | ${r.seconds.toFixed(2)} | ${r.perS} | ${(r.perS / baseline).toFixed(2)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} |`);
  }
  console.log('');
  console.log(`bench=ledger baseline_rows_per_s=${baseline} clients=${CLIENTS}`);
  for (const r of results.filter((x) => x.clients === CLIENTS)) console.log(`bench=ledger batch=${r.batch} transfers_per_s=${r.perS} ratio=${(r.perS / baseline).toFixed(2)} clients=${r.clients}`);
  writeBenchResult('ledger', {
    clients: { value: CLIENTS, unit: 'clients', note: 'concurrent clients of the batch_* figures' },
    raw_insert_rows_per_s: { value: baseline, unit: 'rows/s', note: 'plain batched INSERTs of transfer-sized rows, the same run and clients' },
    ...Object.fromEntries(results.filter((x) => x.clients === CLIENTS).map((r) => [`batch_${r.batch}_transfers_per_s`, { value: r.perS, unit: 'transfers/s' }])),
  });
} finally {
  await pool.end();
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
