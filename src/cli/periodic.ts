/**
 * Time-driven work: reservations that timed out, credit not collected in time, credit past its
 * validity, notices of credit about to expire, reminders before credit lapses or expires,
 * idempotency keys past their day, the last business day's cross-merchant farming signals settled on
 * the payments' own order (once an hour), the liability rollup (once an hour), stored files no claim references (once an hour). Any
 * number of serve and worker processes may run it: a session advisory
 * lock lets one of them at a time do a round, and the time of the last round (periodic_rounds) makes
 * it one round an interval, whoever does it.
 */
import type pg from 'pg';
import { pruneIdempotencyKeys } from '../http/idempotency.ts';
import { expirePendingTransfers } from '../ledger/index.ts';
import { noticeExpiringCredit, remindCredit, type ReminderLeadTimes } from '../notifications/index.ts';
import { applyHistoryRetention, makeHistoryDaysAhead } from '../db/history.ts';
import { expireCredits, lapseUncollectedCredits } from '../points/index.ts';
import { FILE_SWEEP_INTERVAL_MS, sweepUnreferencedFiles } from '../claims/file-sweep.ts';
import type { FileStore } from '../storage/index.ts';
import { onlyRow } from '../shared/assert.ts';
import { addDays, businessDay } from '../shared/business-day.ts';
import { settleDaySignals } from '../payments/settle-signals.ts';
import { refreshLiability } from '../budgets/index.ts';

export const PERIODIC_INTERVAL_MS = 10_000;
/**
 * Yesterday's signals are settled again every hour: notifications of a day keep arriving for a while
 * after it ends (retries, late refunds), and settling a day that is already right changes nothing.
 */
const SIGNAL_SETTLEMENT_INTERVAL_MS = 3_600_000;
/** The liability rollup is refreshed hourly: each refresh reads every merchant's credit accounts once. */
const LIABILITY_ROLLUP_INTERVAL_MS = 3_600_000;
/** A round holds the lock's session while its work takes a second connection from the same pool. */
export const PERIODIC_CONNECTIONS = 2;
// any fixed 64-bit number of our own; pg_try_advisory_lock shares its key space with other users of the database
const PERIODIC_LOCK_KEY = 7_301_226_000_001;

type Log = (level: 'info' | 'error', fields: object, message: string) => void;

export interface PeriodicOptions {
  historyRetentionDays: number;
  reminderLeadTimes: ReminderLeadTimes;
  /** The claims' file store: its files no claim references are swept (none: no sweep, e.g. a process without files). */
  files?: FileStore;
}

const JOBS: readonly [string, (pool: pg.Pool, options: PeriodicOptions, now: Date) => Promise<number>][] = [
  ['expired pending transfers voided', async (pool) => (await expirePendingTransfers(pool)).filter((r) => r.status === 'created').length],
  ['uncollected credits lapsed', (pool, _options, now) => lapseUncollectedCredits(pool, now)],
  ['credits expired', (pool, _options, now) => expireCredits(pool, now)],
  ['expiring credit noticed', (pool, _options, now) => noticeExpiringCredit(pool, now)],
  ['credit reminders sent', (pool, options, now) => remindCredit(pool, options.reminderLeadTimes, now)],
  ['idempotency keys forgotten', (pool, _options, now) => pruneIdempotencyKeys(pool, now)],
  ['history partitions made ahead', (pool, _options, now) => makeHistoryDaysAhead(pool, now)],
  ['history partitions dropped', async (pool, options, now) => (await applyHistoryRetention(pool, options.historyRetentionDays, now)).length],
  ['farming signals settled', async (pool, _options, now) => ((await claimRound(pool, 'signal_settlement', SIGNAL_SETTLEMENT_INTERVAL_MS, now)) ? settleDaySignals(pool, addDays(businessDay(now), -1)) : 0)],
  ['liability rollup refreshed (cities)', async (pool, _options, now) => ((await claimRound(pool, 'liability_rollup', LIABILITY_ROLLUP_INTERVAL_MS, now)) ? refreshLiability(pool, businessDay(now), now) : 0)],
  ['unreferenced files removed', async (pool, options, now) => (options.files && (await claimRound(pool, 'file_sweep', FILE_SWEEP_INTERVAL_MS, now)) ? sweepUnreferencedFiles(pool, options.files, now) : 0)],
];

/** Claims the round named `name` if its last one is `intervalMs` old (a little less, for timer drift); whether it was claimed. */
async function claimRound(db: Pick<pg.Pool, 'query'>, name: string, intervalMs: number, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO periodic_rounds (name, last_round_at) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET last_round_at = excluded.last_round_at
      WHERE periodic_rounds.last_round_at <= $2::timestamptz - make_interval(secs => $3::float8 / 1000)`,
    [name, now, intervalMs * 0.9],
  );
  return (rowCount ?? 0) > 0;
}

/** One round, unless another process is doing one or did one within the interval; returns whether this process did it. */
export async function periodicRound(pool: pg.Pool, log: Log, options: PeriodicOptions, now = new Date()): Promise<boolean> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [PERIODIC_LOCK_KEY]);
    if (!onlyRow(rows, 'whether the periodic lock was taken').locked) return false;
    try {
      // taken under the lock: a round is claimed only if the last one is an interval old
      if (!(await claimRound(client, 'sweeps', PERIODIC_INTERVAL_MS, now))) return false;
      for (const [what, job] of JOBS) {
        await job(pool, options, now).then(
          (count) => count > 0 && log('info', { count }, what),
          (err: unknown) => log('error', { err }, `periodic work failed: ${what}`),
        );
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PERIODIC_LOCK_KEY]);
    }
    return true;
  } finally {
    client.release();
  }
}

/** Rounds every PERIODIC_INTERVAL_MS until stopped; a round never overlaps the next. */
export function startPeriodicWork(pool: pg.Pool, log: Log, options: PeriodicOptions): { stop(): Promise<void> } {
  let stopped = false;
  let round: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    round = round.then(() => (stopped ? false : periodicRound(pool, log, options))).catch((err: unknown) => log('error', { err }, 'periodic round failed'));
  }, PERIODIC_INTERVAL_MS);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await round;
    },
  };
}
