/**
 * `npm run bench:sweeps`: how fast the day-end sweeps retire credit. BENCH_MERCHANTS merchants each
 * earn BENCH_PAYERS payers' credit on one day (through the real ingestion); half of them collect. Then
 * the lapse sweep retires the uncollected lots and, six months on, the expiry sweep the collected ones,
 * each called until it finds nothing (as the periodic work does, SWEEP_LIMIT lots a transaction).
 * Baseline in the same run: plain batched UPDATEs of as many rows.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPool, ensureDatabase } from '../src/db/database.ts';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { importEnrolments } from '../src/merchants/store.ts';
import { ingestPayments } from '../src/payments/ingest.ts';
import { CLASSIC_2019 } from '../src/points/accrual-rules.ts';
import { collectCreditsOf, expireCredits, lapseUncollectedCredits, changeCredit } from '../src/points/index.ts';
import { enrolment } from '../test/support/fixtures.ts';
import { notification, payerWallet } from '../test/support/payments.ts';
import { assertLotsMatchLedger } from '../test/support/credit-invariants.ts';
import { writeBenchResult } from './results.ts';

const MERCHANTS = Number(process.env.BENCH_MERCHANTS ?? 20_000);
const PAYERS = Number(process.env.BENCH_PAYERS ?? 4);
for (const [name, v] of Object.entries({ MERCHANTS, PAYERS })) if (!Number.isInteger(v) || v < 1) throw new Error(`BENCH_${name} must be a positive integer`);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carepoints-bench-sweeps-'));
const server = await startEmbeddedPostgres({ dir });
const pool = createPool(await ensureDatabase(server.url, 'bench_sweeps'), 8);
try {
  await migrate(pool);
  const wallets = Array.from({ length: MERCHANTS }, (_, i) => enrolment(i + 1).walletUserId);
  await importEnrolments(pool, wallets.map((_, i) => ({ line: i + 2, input: enrolment(i + 1) })), 'bench-id-hash-key-0123456789abcdef0123', { skipDuplicates: false });
  const paidAt = new Date('2026-03-02T02:00:00Z');
  const notes = wallets.flatMap((w, m) => Array.from({ length: PAYERS }, (_, p) => notification({ tradeNo: `S${m}x${p}`, sellerId: w, buyerId: payerWallet(m * PAYERS + p), gmtPayment: paidAt })));
  for (let i = 0; i < notes.length; i += 8_000) await ingestPayments(pool, notes.slice(i, i + 8_000));
  const { rows } = await pool.query<{ merchant_id: number }>('SELECT merchant_id::int FROM merchants ORDER BY merchant_id');
  const collectors = rows.filter((_, i) => i % 2 === 0).map((r) => r.merchant_id);
  for (let i = 0; i < collectors.length; i += 500) {
    const chunk = collectors.slice(i, i + 500);
    await changeCredit(pool, async (change) => {
      await change.lock(chunk);
      await collectCreditsOf(change, chunk, CLASSIC_2019, new Date(paidAt.getTime() + 3_600_000));
    });
  }
  const count = async (state: string) => (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM credit_lots WHERE state = $1', [state])).rows[0]!.n;
  const sweepAll = async (sweep: () => Promise<number>) => {
    const start = performance.now();
    let lots = 0;
    for (let n = await sweep(); n > 0; n = await sweep()) lots += n;
    return { lots, perS: Math.round(lots / ((performance.now() - start) / 1000)) };
  };
  const lapse = await sweepAll(() => lapseUncollectedCredits(pool, new Date(paidAt.getTime() + 49 * 3_600_000)));
  const expire = await sweepAll(() => expireCredits(pool, new Date('2026-12-01T00:00:00Z')));
  await assertLotsMatchLedger(pool);
  if ((await count('pending')) + (await count('available')) !== 0) throw new Error('lots left behind');

  await pool.query('CREATE TABLE baseline_rows AS SELECT g AS id, 0::bigint AS v FROM generate_series(1, $1::int) g', [lapse.lots]);
  await pool.query('ALTER TABLE baseline_rows ADD PRIMARY KEY (id)');
  const start = performance.now();
  for (let i = 0; i < lapse.lots; i += 2_000) await pool.query('UPDATE baseline_rows SET v = v + 1 WHERE id > $1 AND id <= $2', [i, i + 2_000]);
  const baseline = Math.round(lapse.lots / ((performance.now() - start) / 1000));

  console.log(`cpus: ${os.cpus().length}; ${MERCHANTS} merchants × ${PAYERS} payers; embedded PostgreSQL (fsync on)`);
  console.log(`bench=sweeps path=baseline per_s=${baseline}`);
  console.log(`bench=sweeps path=lapse lots=${lapse.lots} per_s=${lapse.perS} ratio=${(lapse.perS / baseline).toFixed(2)}`);
  console.log(`bench=sweeps path=expire lots=${expire.lots} per_s=${expire.perS} ratio=${(expire.perS / baseline).toFixed(2)}`);
  writeBenchResult('sweeps', {
    lapse_lots_per_s: { value: lapse.perS, unit: 'lots/s', note: `${MERCHANTS} merchants × ${PAYERS} payers` },
    expire_lots_per_s: { value: expire.perS, unit: 'lots/s', note: `${MERCHANTS} merchants × ${PAYERS} payers` },
    baseline_rows_per_s: { value: baseline, unit: 'rows/s', note: 'plain batched UPDATEs, 2,000 rows a statement' },
  });
} finally {
  await pool.end();
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
