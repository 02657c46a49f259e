/**
 * `npm run bench:storage`: what the database keeps and logs per unit of work, for the capacity plan.
 * BENCH_MERCHANTS merchants (default 2,000) on one business day, through the real code paths:
 *   1. earning: 10 distinct payers each (all earn: the day's first ten), ingested in batches of 8,000;
 *   2. non-earning: the same payers pay again the same day (a repeat payer earns nothing);
 *   3. collection: every merchant collects its pending credit (collectCreditsOf, 500 merchants a transaction);
 *   4. ledger: 8,000-transfer batches as bench:ledger sends them (credit-lot triggers off, as there).
 * For each phase: growth of all tables with their indexes and TOAST (pg_total_relation_size) and WAL
 * written (pg_current_wal_insert_lsn), divided by the phase's notifications or transfers. A CHECKPOINT
 * before each phase makes each pay its full-page images, as steady running does once per checkpoint.
 * Also bytes per payments row and per ledger_transfers row (whole table with indexes / rows).
 * Baseline, in the same run and database: the notifications' own fields (trade number, payee, payer,
 * amount, payment time) as plain rows with a primary key, inserted in the same batches; each phase's
 * bytes are also given as a ratio to a baseline row's.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { createPool, ensureDatabase } from '../src/db/database.ts';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { createTransfers, programmeAccountIds } from '../src/ledger/index.ts';
import { importEnrolments } from '../src/merchants/store.ts';
import { ingestPayments } from '../src/payments/ingest.ts';
import { CLASSIC_2019 } from '../src/points/accrual-rules.ts';
import { collectCreditsOf, changeCredit } from '../src/points/index.ts';
import { enrolment } from '../test/support/fixtures.ts';
import { notification, payerWallet } from '../test/support/payments.ts';
import { writeBenchResult } from './results.ts';

const MERCHANTS = Number(process.env.BENCH_MERCHANTS ?? 2_000);
const PAYERS = 10; // the classic-2019 rules' earning payers a day
const LEDGER_TRANSFERS = 40_000;
if (!Number.isInteger(MERCHANTS) || MERCHANTS < 100) throw new Error('BENCH_MERCHANTS must be an integer of at least 100');

const loadAtStart = os.loadavg()[0]!;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carepoints-bench-storage-'));
const server = process.env.BENCH_DATABASE_URL ? null : await startEmbeddedPostgres({ dir });
const pool = createPool(await ensureDatabase(process.env.BENCH_DATABASE_URL ?? server!.url, `carepoints_bench_storage_${process.pid}`), 4);

/** Every table's size with its indexes and TOAST, a partitioned table's partitions counted as the table. */
async function footprint(db: pg.Pool): Promise<{ tableBytes: number; byTable: Map<string, number>; walLsn: string }> {
  const { rows } = await db.query<{ name: string; bytes: string; lsn: string }>(
    `SELECT coalesce(parent.relname, c.relname) AS name, sum(pg_total_relation_size(c.oid)) AS bytes, pg_current_wal_insert_lsn()::text AS lsn
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_inherits i ON i.inhrelid = c.oid LEFT JOIN pg_class parent ON parent.oid = i.inhparent
      WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
      GROUP BY 1`,
  );
  const byTable = new Map(rows.map((r) => [r.name, Number(r.bytes)]));
  return { tableBytes: [...byTable.values()].reduce((a, b) => a + b, 0), byTable, walLsn: rows[0]!.lsn };
}

/** Table growth and WAL of one phase, per unit (notification or transfer). */
async function measure(db: pg.Pool, units: () => Promise<number>): Promise<{ bytesPerUnit: number; walBytesPerUnit: number; units: number; grownPerUnit: [string, number][] }> {
  await db.query('CHECKPOINT');
  const before = await footprint(db);
  const n = await units();
  const after = await footprint(db);
  const { rows } = await db.query<{ wal: string }>('SELECT pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn) AS wal', [after.walLsn, before.walLsn]);
  const grownPerUnit = [...after.byTable]
    .map(([name, bytes]): [string, number] => [name, (bytes - (before.byTable.get(name) ?? 0)) / n])
    .filter(([, perUnit]) => perUnit !== 0)
    .sort((a, b) => b[1] - a[1]);
  return { bytesPerUnit: (after.tableBytes - before.tableBytes) / n, walBytesPerUnit: Number(rows[0]!.wal) / n, units: n, grownPerUnit };
}

async function bytesPerRow(db: pg.Pool, table: 'payments' | 'ledger_transfers'): Promise<number> {
  // a partitioned table's own size is 0: its partitions hold the rows and the indexes
  const { rows } = await db.query<{ per_row: number }>(
    `SELECT (SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('${table}'))::float8 / greatest((SELECT count(*) FROM ${table}), 1) AS per_row`,
  );
  return rows[0]!.per_row;
}

try {
  await migrate(pool);
  const wallets = Array.from({ length: MERCHANTS }, (_, i) => enrolment(i + 1).walletUserId);
  await importEnrolments(pool, wallets.map((_, i) => ({ line: i + 2, input: enrolment(i + 1) })), 'bench-id-hash-key-0123456789abcdef0123', { skipDuplicates: false });
  const paidAt = new Date('2026-03-02T04:00:00Z');
  const day = (round: string) => wallets.flatMap((w, m) => Array.from({ length: PAYERS }, (_, p) => notification({ tradeNo: `${round}${m}x${p}`, sellerId: w, buyerId: payerWallet(m * PAYERS + p), gmtPayment: paidAt })));
  const ingest = async (notes: ReturnType<typeof day>) => {
    for (let i = 0; i < notes.length; i += 8_000) await ingestPayments(pool, notes.slice(i, i + 8_000));
    return notes.length;
  };

  const baseline = await measure(pool, async () => {
    await pool.query('CREATE TABLE raw_notifications (trade_no text PRIMARY KEY, seller_id text NOT NULL, buyer_id text NOT NULL, total_fen bigint NOT NULL, paid_at timestamptz NOT NULL)');
    const notes = day('B');
    for (let i = 0; i < notes.length; i += 8_000) {
      const batch = notes.slice(i, i + 8_000);
      await pool.query('INSERT INTO raw_notifications SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::timestamptz[])', [
        batch.map((n) => n.tradeNo),
        batch.map((n) => n.sellerId),
        batch.map((n) => n.buyerId),
        batch.map((n) => n.totalAmountFen),
        batch.map((n) => n.gmtPayment),
      ]);
    }
    return notes.length;
  });
  await pool.query('DROP TABLE raw_notifications');
  const earning = await measure(pool, () => ingest(day('E')));
  const nonEarning = await measure(pool, () => ingest(day('N')));
  const { rows: merchants } = await pool.query<{ merchant_id: number }>('SELECT merchant_id::int FROM merchants ORDER BY merchant_id');
  const collection = await measure(pool, async () => {
    const before = (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM ledger_transfers')).rows[0]!.n;
    for (let i = 0; i < merchants.length; i += 500) {
      const chunk = merchants.slice(i, i + 500).map((r) => r.merchant_id);
      await changeCredit(pool, async (change) => {
        await change.lock(chunk);
        await collectCreditsOf(change, chunk, CLASSIC_2019, new Date(paidAt.getTime() + 3_600_000));
      });
    }
    return (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM ledger_transfers')).rows[0]!.n - before;
  });
  await pool.query('ALTER TABLE ledger_accounts DISABLE TRIGGER merchant_credit_matches_lots; ALTER TABLE credit_lots DISABLE TRIGGER credit_lots_match_merchant_credit');
  const funding = (await programmeAccountIds(pool)).programme_funding;
  const available = (await pool.query<{ account_id: number }>("SELECT account_id FROM ledger_accounts WHERE kind = 'merchant_available'")).rows.map((a) => a.account_id);
  const ledger = await measure(pool, async () => {
    for (let sent = 0; sent < LEDGER_TRANSFERS; sent += 8_000) {
      await createTransfers(pool, Array.from({ length: 8_000 }, (_, i) => ({ id: randomUUID(), debitAccountId: funding, creditAccountId: available[(sent + i) % available.length]!, amountFen: 200, code: 'accrual' })));
    }
    return LEDGER_TRANSFERS;
  });
  const paymentRowBytes = await bytesPerRow(pool, 'payments');
  const transferRowBytes = await bytesPerRow(pool, 'ledger_transfers');

  const rows = [
    ['earning notification', earning],
    ['non-earning notification', nonEarning],
    ['collection transfer', collection],
    ['ledger transfer (batch 8,000)', ledger],
  ] as const;
  console.log(`\ncpus: ${os.cpus().length}; ${MERCHANTS} merchants × ${PAYERS} payers; PostgreSQL ${server ? 'embedded (fsync on)' : 'server'}\n`);
  const ratio = (value: number, of: number) => (value / of).toFixed(2);
  console.log('| unit | count | table bytes per unit | ratio to a plain row | WAL bytes per unit | ratio to a plain row |');
  console.log('|---|--:|--:|--:|--:|--:|');
  console.log(`| plain row of the notification's fields (baseline) | ${baseline.units} | ${baseline.bytesPerUnit.toFixed(0)} | 1.00 | ${baseline.walBytesPerUnit.toFixed(0)} | 1.00 |`);
  for (const [name, m] of rows) {
    console.log(`| ${name} | ${m.units} | ${m.bytesPerUnit.toFixed(0)} | ${ratio(m.bytesPerUnit, baseline.bytesPerUnit)} | ${m.walBytesPerUnit.toFixed(0)} | ${ratio(m.walBytesPerUnit, baseline.walBytesPerUnit)} |`);
  }
  for (const [name, m] of rows) {
    if (m.grownPerUnit.length) console.log(`${name}, growth per unit by table: ${m.grownPerUnit.map(([t, b]) => `${t} ${b.toFixed(0)}`).join(', ')}`);
  }
  console.log(`\npayments: ${paymentRowBytes.toFixed(0)} bytes a row; ledger_transfers: ${transferRowBytes.toFixed(0)} bytes a row (with indexes)\n`);
  console.log(`bench=storage unit=baseline_row count=${baseline.units} bytes=${baseline.bytesPerUnit.toFixed(0)} wal_bytes=${baseline.walBytesPerUnit.toFixed(0)}`);
  for (const [name, m] of rows) {
    console.log(
      `bench=storage unit=${name.split(' (')[0]!.replaceAll(' ', '_')} count=${m.units} bytes=${m.bytesPerUnit.toFixed(0)} bytes_ratio=${ratio(m.bytesPerUnit, baseline.bytesPerUnit)} wal_bytes=${m.walBytesPerUnit.toFixed(0)} wal_ratio=${ratio(m.walBytesPerUnit, baseline.walBytesPerUnit)}`,
    );
  }
  const bytes = (value: number, note: string) => ({ value: Math.round(value), unit: 'bytes', note });
  writeBenchResult(
    'storage',
    {
      baseline_row_table_bytes: bytes(baseline.bytesPerUnit, "a plain row of a notification's own fields with its key, the same run"),
      baseline_row_wal_bytes: bytes(baseline.walBytesPerUnit, 'WAL of that plain row, the same run'),
      earning_notification_table_bytes: bytes(earning.bytesPerUnit, 'growth of all tables with indexes per notification that earns (payment, trade number, lot, transfer, accounts, day tables)'),
      earning_notification_wal_bytes: bytes(earning.walBytesPerUnit, 'WAL per notification that earns, full-page images after a checkpoint included'),
      non_earning_notification_table_bytes: bytes(nonEarning.bytesPerUnit, 'growth per notification of a repeat payer (earns nothing)'),
      non_earning_notification_wal_bytes: bytes(nonEarning.walBytesPerUnit, 'WAL per notification of a repeat payer'),
      collection_transfer_table_bytes: bytes(collection.bytesPerUnit, 'growth per transfer posted by collectCreditsOf'),
      collection_transfer_wal_bytes: bytes(collection.walBytesPerUnit, 'WAL per transfer posted by collectCreditsOf'),
      ledger_transfer_wal_bytes: bytes(ledger.walBytesPerUnit, 'WAL per transfer in batches of 8,000, as bench:ledger sends them'),
      payment_row_bytes: bytes(paymentRowBytes, 'payments table with its indexes / rows'),
      ledger_transfer_row_bytes: bytes(transferRowBytes, 'ledger_transfers table with its indexes / rows'),
    },
    loadAtStart,
  );
} finally {
  await pool.end();
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
