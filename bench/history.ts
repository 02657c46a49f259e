/**
 * `npm run bench:history`: does ingest slow down as the payment and ledger history grows? Business
 * days are added one after another, each with BENCH_FILL_PER_DAY payments of history and as many
 * ledger transfers (bulk-written into that day's partitions and the transfer ids, as a day of the
 * real programme would leave them) and, on the days measured, a realistic day of
 * BENCH_PAYMENTS notifications through the real ingestion, BENCH_ROUNDS times (each round its own
 * tenth of the merchants). The figure is each measured day's notifications/s (the median round) and
 * its ratio to the first day's, measured in the same run, and the WAL it wrote per notification. History is left as a running programme leaves it: each day vacuumed and analysed
 * (autovacuum's work), and before a measured day the credit past its collection window lapsed (the
 * periodic work's).
 * The days are the BENCH_DAYS before today (a day's payments must not lie in the future): the ledger
 * files a measured transfer under the database's today.
 * Filler transfers move programme credit (funding → lapsed, both balances kept equal to their sums),
 * keyed by merchants spread as real ones are.
 * Sizes: BENCH_MERCHANTS, BENCH_PAYMENTS, BENCH_FILL_PER_DAY, BENCH_DAYS (measured: 1, 10, 30, and the last), BENCH_ROUNDS.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPool, ensureDatabase } from '../src/db/database.ts';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { importEnrolments } from '../src/merchants/store.ts';
import { ensureHistoryDays } from '../src/db/history.ts';
import { programmeAccountIds } from '../src/ledger/index.ts';
import { lapseUncollectedCredits } from '../src/points/index.ts';
import { addDays, businessDay } from '../src/shared/business-day.ts';
import { ingestPayments } from '../src/payments/ingest.ts';
import { parseNotification, type PaymentNotification } from '../src/payments/notification.ts';
import { generatePaymentDay } from '../sim/payments.ts';
import { assertLedgerInvariants } from '../test/support/ledger-invariants.ts';
import { enrolment } from '../test/support/fixtures.ts';

const MERCHANTS = Number(process.env.BENCH_MERCHANTS ?? 20_000);
const PAYMENTS = Number(process.env.BENCH_PAYMENTS ?? 40_000);
const FILL_PER_DAY = Number(process.env.BENCH_FILL_PER_DAY ?? 200_000);
const DAYS = Number(process.env.BENCH_DAYS ?? 30);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BATCH = 8_000;
for (const [name, v] of Object.entries({ MERCHANTS, PAYMENTS, DAYS, ROUNDS })) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`BENCH_${name} must be a positive integer`);
}
if (!Number.isInteger(FILL_PER_DAY) || FILL_PER_DAY < 0) throw new Error('BENCH_FILL_PER_DAY must be a whole number');
if (ROUNDS > 10) throw new Error('BENCH_ROUNDS is at most 10: each round has a tenth of the merchants');
const MEASURED = new Set([1, 10, 30, DAYS].filter((d) => d <= DAYS));
const FIRST_DAY = addDays(businessDay(new Date()), -DAYS);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carepoints-bench-history-'));
const server = await startEmbeddedPostgres({ dir });
const pool = createPool(await ensureDatabase(server.url, 'history'), 8);
await migrate(pool);
const wallets = Array.from({ length: MERCHANTS }, (_, i) => enrolment(i + 1).walletUserId);
await importEnrolments(pool, wallets.map((_, i) => ({ line: i + 2, input: enrolment(i + 1) })), 'bench-id-hash-key-0123456789abcdef0123', { skipDuplicates: false });

const { rows: ids } = await pool.query<{ first: number }>('SELECT min(merchant_id)::int AS first FROM merchants');
const firstMerchantId = ids[0]!.first;

/** A day's history as ingestion leaves it: earning payments of the day's merchants, and their trade numbers. */
async function fillDay(day: string, rows: number): Promise<void> {
  await ensureHistoryDays(pool, [day]);
  await pool.query(
    `WITH f AS (
       SELECT 'F' || replace($1, '-', '') || lpad(g::text, 9, '0') AS trade_no, $4::bigint + (g * 7919) % $3 AS merchant_id, g FROM generate_series(1, $2) AS g
     ), t AS (
       INSERT INTO trade_numbers (trade_no, merchant_id, history_day) SELECT trade_no, merchant_id, $1::date FROM f
     )
     INSERT INTO payments (trade_no, merchant_id, seller_id, buyer_id, total_fen, status, paid_at, business_day, ruleset_id, outcome, credit_fen, history_day)
     SELECT trade_no, merchant_id, 'filler', '2088' || lpad((g % 5000000)::text, 12, '0'), 100 + g % 5000, 'TRADE_SUCCESS',
            $1::date + make_interval(secs => g % 86400) - interval '8 hours', $1::date, 1, 'credited', 200, $1::date
       FROM f`,
    [day, rows, MERCHANTS, firstMerchantId],
  );
}

/** A day's ledger history: one transfer a history payment, filed under its day, with its global id (time-ordered, as accrual's are). */
async function fillLedgerDay(day: string, rows: number): Promise<void> {
  const programme = await programmeAccountIds(pool);
  await pool.query(
    `WITH g AS (
       SELECT g, $6::date - interval '8 hours' + make_interval(secs => g % 86400) AS at, md5($6::date::text || g) AS h FROM generate_series(1, $1) AS g
     ), f AS (
       -- ids as orderedTransferIdFor lays them out: the event's milliseconds, version 8, then a hash
       SELECT (lpad(to_hex(floor(extract(epoch FROM at) * 1000)::bigint), 12, '0') || '8' || substr(h, 1, 3) || '8' || substr(h, 4, 15))::uuid AS transfer_id,
              nextval('ledger_transfer_seq') AS seq, $3::bigint + (g * 7919) % $2 AS merchant_id, g, at FROM g
     ), t AS (
       INSERT INTO ledger_transfers (seq, transfer_id, debit_account_id, credit_account_id, amount_fen, code, phase, merchant_id, reference, created_at, history_day)
       SELECT seq, transfer_id, $4, $5, 200, 'accrual', 'single', merchant_id, 'F' || g, at, $6::date FROM f
     )
     INSERT INTO ledger_transfer_ids (transfer_id, merchant_id, seq, history_day)
     SELECT transfer_id, merchant_id, seq, $6::date FROM f`,
    [rows, MERCHANTS, firstMerchantId, programme.programme_funding, programme.lapsed, day],
  );
  await pool.query(
    `UPDATE ledger_accounts SET debits_posted = debits_posted + CASE WHEN account_id = $1 THEN $3::bigint ELSE 0 END,
                                credits_posted = credits_posted + CASE WHEN account_id = $2 THEN $3::bigint ELSE 0 END
      WHERE account_id IN ($1, $2)`,
    [programme.programme_funding, programme.lapsed, rows * 200],
  );
}

/**
 * A past day as the running programme leaves it: autovacuum has long since marked its insert-only
 * pages visible and analysed them. (Left to autovacuum here, that work for days written minutes
 * apart lands inside whichever day is measured next, and the figure measures it instead.)
 */
async function settleDay(day: string): Promise<void> {
  const { rows } = await pool.query<{ partition: string }>(
    `SELECT tableoid::regclass::text AS partition FROM trade_numbers WHERE history_day = $1 LIMIT 1`,
    [day],
  );
  const compact = day.replaceAll('-', '');
  const tables = [`payments_d${compact}`, `ledger_transfers_d${compact}`, 'ledger_transfer_ids', ...rows.map((r) => r.partition)];
  await pool.query(`VACUUM (ANALYZE) ${tables.join(', ')}`);
}

/** The periodic work lapses credit left uncollected past its window, as the real programme's does. */
async function lapseDueCredit(): Promise<void> {
  while ((await lapseUncollectedCredits(pool)) > 0);
  const today = `ledger_transfers_d${businessDay(new Date()).replaceAll('-', '')}`;
  await pool.query(`VACUUM (ANALYZE) credit_lots, merchant_days, payer_days, merchant_accrual, ledger_accounts, ${today}`);
}

/** A round's day of notifications: its own tenth of the merchants, so that no round meets another's trades. */
function parsedDay(day: string, seed: number, round: number): PaymentNotification[] {
  const share = Math.ceil(MERCHANTS / 10);
  return generatePaymentDay({ merchantWallets: wallets.slice(round * share, (round + 1) * share), payments: PAYMENTS, payers: PAYMENTS * 2, day, seed }).map((f) => {
    const p = parseNotification(f);
    if (!p.ok) throw new Error(`generator produced a bad notification: ${p.message}`);
    return p.notification;
  });
}

async function walPositionBytes(): Promise<bigint> {
  const { rows } = await pool.query<{ bytes: string }>("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text AS bytes");
  return BigInt(rows[0]!.bytes);
}

/** A round's ingestion: its rate, and the WAL it wrote (full-page images of pages touched at random, the
 * first time after each checkpoint, are what grows with an index that outgrows the cache). */
async function ingestDay(notifications: PaymentNotification[]): Promise<{ perSecond: number; walBytes: bigint }> {
  await pool.query('CHECKPOINT'); // every round starts from the same point of the checkpoint cycle
  const walBefore = await walPositionBytes();
  const started = performance.now();
  for (let i = 0; i < notifications.length; i += BATCH) await ingestPayments(pool, notifications.slice(i, i + BATCH));
  const perSecond = notifications.length / ((performance.now() - started) / 1000);
  return { perSecond, walBytes: (await walPositionBytes()) - walBefore };
}

interface Row {
  day: number;
  historyPayments: number;
  historyTransfers: number;
  /** The median of the rounds' rates: one round lasts seconds, and the machine's own noise is of that order. */
  notificationsPerSecond: number;
  roundsPerSecond: number[];
  walBytesPerNotification: number;
}
const rows: Row[] = [];
// warm-up (not measured): the first batches pay for compiling the code paths and filling caches
await ingestDay(parsedDay(addDays(FIRST_DAY, -1), 0, 0).slice(0, 2 * BATCH));
console.log(`bench:history — ${MERCHANTS} merchants, ${ROUNDS} rounds of ${PAYMENTS} notifications a measured day, ${FILL_PER_DAY} history payments a day, ${DAYS} days`);
for (let d = 1; d <= DAYS; d++) {
  const day = addDays(FIRST_DAY, d - 1);
  if (FILL_PER_DAY > 0) {
    await fillDay(day, FILL_PER_DAY);
    await fillLedgerDay(day, FILL_PER_DAY);
    await settleDay(day);
  }
  if (!MEASURED.has(d)) continue;
  await lapseDueCredit();
  const { rows: counted } = await pool.query<{ n: number; transfers: number }>('SELECT (SELECT count(*) FROM payments)::int AS n, (SELECT count(*) FROM ledger_transfers)::int AS transfers');
  const rounds: Awaited<ReturnType<typeof ingestDay>>[] = [];
  for (let round = 0; round < ROUNDS; round++) rounds.push(await ingestDay(parsedDay(day, d * 10 + round, round)));
  const rates = rounds.map((r) => r.perSecond);
  const median = [...rates].sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]!;
  const walBytesPerNotification = Number(rounds.reduce((sum, r) => sum + r.walBytes, 0n) / BigInt(ROUNDS * PAYMENTS));
  rows.push({ day: d, historyPayments: counted[0]!.n, historyTransfers: counted[0]!.transfers, notificationsPerSecond: median, roundsPerSecond: rates, walBytesPerNotification });
  console.log(`day ${d}: ${counted[0]!.n.toLocaleString('en')} payments and ${counted[0]!.transfers.toLocaleString('en')} ledger transfers in history, ${Math.round(median).toLocaleString('en')} notifications/s (rounds ${rates.map((r) => Math.round(r).toLocaleString('en')).join(', ')}), ${walBytesPerNotification.toLocaleString('en')} WAL bytes a notification`);
}
await assertLedgerInvariants(pool);

const baseline = rows[0]!.notificationsPerSecond;
console.log('\n| day | payments in history | ledger transfers in history | notifications/s (median) | rounds | ratio to day 1 | WAL bytes a notification |\n|--:|--:|--:|--:|--:|--:|--:|');
for (const r of rows) {
  const rounds = r.roundsPerSecond.map((x) => Math.round(x).toLocaleString('en')).join(' · ');
  console.log(`| ${r.day} | ${r.historyPayments.toLocaleString('en')} | ${r.historyTransfers.toLocaleString('en')} | ${Math.round(r.notificationsPerSecond).toLocaleString('en')} | ${rounds} | ${(r.notificationsPerSecond / baseline).toFixed(2)} | ${r.walBytesPerNotification.toLocaleString('en')} |`);
}
for (const r of rows) console.log(`BENCH history day=${r.day} history_payments=${r.historyPayments} history_transfers=${r.historyTransfers} notifications_per_s=${Math.round(r.notificationsPerSecond)} ratio=${(r.notificationsPerSecond / baseline).toFixed(3)} wal_bytes_per_notification=${r.walBytesPerNotification}`);
await pool.end();
await server.stop();
fs.rmSync(dir, { recursive: true, force: true });
