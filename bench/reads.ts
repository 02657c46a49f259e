/**
 * `npm run bench:reads`: a merchant's own reads at the programme's scale. BENCH_MERCHANTS (default
 * 1,000,000) merchants are enrolled through the real import, then a business day of history is written
 * in bulk into that day's ledger partition and the transfer ids (BENCH_TRANSFERS_PER_MERCHANT a
 * merchant, default 5: a day of a fifth of ~20 notifications earning, and their collection), spread
 * over the merchants as real ones are. Then random merchants' reads are timed, one at a time and by
 * BENCH_CLIENTS at once, through the functions the merchant app's routes call:
 * - the balance (`merchantBalance`: the merchant's three accounts);
 * - the first history page of 20 (`merchantHistory`), and the next page by its cursor.
 * The baseline, measured in the same run, is a primary-key read of the merchant's row: the round trip
 * any read pays. Each figure is printed with its ratio to it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { createPool, ensureDatabase } from '../src/db/database.ts';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';
import { ensureHistoryDays } from '../src/db/history.ts';
import { migrate } from '../src/db/migrate.ts';
import { merchantBalance, merchantHistory } from '../src/ledger/index.ts';
import { importEnrolments } from '../src/merchants/store.ts';
import { addDays, businessDay } from '../src/shared/business-day.ts';
import { enrolment } from '../test/support/fixtures.ts';
import { writeBenchResult } from './results.ts';

const MERCHANTS = Number(process.env.BENCH_MERCHANTS ?? 1_000_000);
const PER_MERCHANT = Number(process.env.BENCH_TRANSFERS_PER_MERCHANT ?? 5);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 20_000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);
const ENROL_CHUNK = 50_000;
const PAGE = 20;
for (const [name, v] of Object.entries({ MERCHANTS, PER_MERCHANT, SAMPLES, CLIENTS })) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`BENCH_${name} must be a positive integer`);
}
const loadAtStart = os.loadavg()[0]!;
const DAY = addDays(businessDay(new Date()), -1);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carepoints-bench-reads-'));
const server = await startEmbeddedPostgres({ dir });
const pool = createPool(await ensureDatabase(server.url, 'reads'), CLIENTS + 2);
await migrate(pool);

let started = performance.now();
for (let first = 1; first <= MERCHANTS; first += ENROL_CHUNK) {
  const count = Math.min(ENROL_CHUNK, MERCHANTS - first + 1);
  const rows = Array.from({ length: count }, (_, i) => ({ line: first + i + 1, input: enrolment(first + i) }));
  await importEnrolments(pool, rows, 'bench-id-hash-key-0123456789abcdef0123', { skipDuplicates: false });
}
console.log(`enrolled ${MERCHANTS} merchants in ${((performance.now() - started) / 1000).toFixed(0)} s`);

const { rows: range } = await pool.query<{ first: number }>('SELECT min(merchant_id)::int AS first FROM merchants');
const firstMerchantId = range[0]!.first;

/** A day's ledger history, as accrual and collection leave it: pending credit earned, then collected. */
async function fillLedgerDay(): Promise<void> {
  await ensureHistoryDays(pool, [DAY]);
  const rows = MERCHANTS * PER_MERCHANT;
  await pool.query(
    `WITH g AS (
       SELECT g, $1::date - interval '8 hours' + make_interval(secs => g % 86400) AS at, md5($1::date::text || g) AS h,
              $3::bigint + (g * 7919) % $2 AS merchant_id
         FROM generate_series(1, $4::bigint) AS g
     ), f AS (
       SELECT (lpad(to_hex(floor(extract(epoch FROM at) * 1000)::bigint), 12, '0') || '8' || substr(h, 1, 3) || '8' || substr(h, 4, 15))::uuid AS transfer_id,
              nextval('ledger_transfer_seq') AS seq, merchant_id, g, at FROM g
     ), t AS (
       INSERT INTO ledger_transfers (seq, transfer_id, debit_account_id, credit_account_id, amount_fen, code, phase, merchant_id, reference, created_at, history_day)
       SELECT seq, transfer_id,
              CASE WHEN g % 5 = 0 THEN merchant_id * 8 + 1 ELSE 1 END, CASE WHEN g % 5 = 0 THEN merchant_id * 8 + 2 ELSE merchant_id * 8 + 1 END,
              200, CASE WHEN g % 5 = 0 THEN 'collect' ELSE 'accrual' END, 'single', merchant_id, 'F' || g, at, $1::date
         FROM f
     )
     INSERT INTO ledger_transfer_ids (transfer_id, merchant_id, seq, history_day) SELECT transfer_id, merchant_id, seq, $1::date FROM f`,
    [DAY, MERCHANTS, firstMerchantId, rows],
  );
  await pool.query(`VACUUM (ANALYZE) ledger_transfers_d${DAY.replaceAll('-', '')}, ledger_transfer_ids, ledger_accounts, merchants`);
}

started = performance.now();
await fillLedgerDay();
console.log(`wrote ${MERCHANTS * PER_MERCHANT} transfers of ${DAY} in ${((performance.now() - started) / 1000).toFixed(0)} s`);

// the same merchants for every read, drawn once
let seed = 7;
const nextRandom = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const sample = Array.from({ length: SAMPLES }, () => firstMerchantId + Math.floor(nextRandom() * MERCHANTS));

type Read = (db: pg.Pool, merchantId: number) => Promise<unknown>;
const READS: Record<string, Read> = {
  baseline_merchant_row: (db, id) => db.query('SELECT merchant_id FROM merchants WHERE merchant_id = $1', [id]),
  balance: (db, id) => merchantBalance(db, id),
  history_first_page: (db, id) => merchantHistory(db, id, { limit: PAGE }),
  history_next_page: async (db, id) => {
    const first = await merchantHistory(db, id, { limit: 2 });
    const cursor = first.transfers.at(-1)?.seq;
    const started = performance.now();
    await merchantHistory(db, id, { limit: PAGE, ...(cursor !== undefined && { beforeSeq: cursor }) });
    return performance.now() - started; // only the page read by cursor is timed
  },
};

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function timeRead(read: Read, clients: number): Promise<{ p50: number; p99: number; perSecond: number }> {
  const latencies: number[] = [];
  let next = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < sample.length) {
        const id = sample[next++]!;
        const t0 = performance.now();
        const inner = await read(pool, id);
        latencies.push(typeof inner === 'number' ? inner : performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - began) / 1000;
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), perSecond: sample.length / seconds };
}

// one warm-up pass over the sample: the figures are of a running programme, not of a cold start
for (const read of Object.values(READS)) await timeRead(read, CLIENTS);

const figures: Record<string, { value: number; unit: string; note?: string }> = {};
console.log(`\ncpus: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}; embedded PostgreSQL; ${MERCHANTS} merchants, ${MERCHANTS * PER_MERCHANT} transfers on ${DAY}; ${SAMPLES} random merchants a row\n`);
console.log('| read | clients | p50 ms | p99 ms | reads/s | p99 ratio to baseline |');
console.log('|---|--:|--:|--:|--:|--:|');
for (const clients of [1, CLIENTS]) {
  const baseline = await timeRead(READS.baseline_merchant_row!, clients);
  for (const [name, read] of Object.entries(READS)) {
    const r = name === 'baseline_merchant_row' ? baseline : await timeRead(read, clients);
    console.log(`| ${name} | ${clients} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${Math.round(r.perSecond)} | ${(r.p99 / baseline.p99).toFixed(2)} |`);
    console.log(`bench=reads read=${name} clients=${clients} p50_ms=${r.p50.toFixed(2)} p99_ms=${r.p99.toFixed(2)} per_s=${Math.round(r.perSecond)} ratio_p99=${(r.p99 / baseline.p99).toFixed(2)}`);
    figures[`${name}_c${clients}_p99_ms`] = { value: Number(r.p99.toFixed(3)), unit: 'ms', note: `${MERCHANTS} merchants, a day of ${PER_MERCHANT} transfers each` };
  }
}

writeBenchResult('reads', figures, loadAtStart);
await pool.end();
await server.stop();
fs.rmSync(dir, { recursive: true, force: true });
