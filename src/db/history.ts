/**
 * Payment history by business day (migration 0022): partitions are made before the batch that needs
 * them, and retention drops whole partitions, a quarter at a time, never rows. What retention must keep:
 * a refund can reach a trade up to a year after its payment (the platform's refund window), and its
 * claw-back needs the trade's row; claims and audits read the ledger, which is kept whole.
 */
import type pg from 'pg';
import { textArray } from './arrays.ts';
import { addDays, businessDay } from '../shared/business-day.ts';
import { onlyRow } from '../shared/assert.ts';

export const MIN_HISTORY_RETENTION_DAYS = 370;
/** The periodic work makes this many days' partitions ahead of today, so a new day's batches find theirs. */
export const HISTORY_DAYS_AHEAD = 3;
export const DEFAULT_HISTORY_RETENTION_DAYS = 400;
/** A partition known to exist is not asked about again for this long (retention only drops old days). */
const KNOWN_FOR_MS = 60_000;

const DAILY = ['payments', 'merchant_days', 'payer_days'] as const;
const QUARTERLY = ['trade_numbers', 'unmatched_payments'] as const;
const DAILY_NAME = /_d(\d{4})(\d{2})(\d{2})$/;
const QUARTERLY_NAME = /_q(\d{4})q([1-4])$/;

/** Per pool (one pool, one database): days whose partitions were seen, and when. */
const knownDaysOf = new WeakMap<object, Map<string, number>>();
function knownDays(pool: object): Map<string, number> {
  let known = knownDaysOf.get(pool);
  if (!known) knownDaysOf.set(pool, (known = new Map()));
  return known;
}

/** Makes the partitions of these business days (YYYY-MM-DD) where they are missing; safe from many processes at once. */
export async function ensureHistoryDays(pool: Pick<pg.Pool, 'query'>, days: Iterable<string>, nowMs = Date.now()): Promise<void> {
  const known = knownDays(pool);
  const knownNow = (day: string) => (known.get(day) ?? -Infinity) > nowMs - KNOWN_FOR_MS;
  const missing = [...new Set(days)].filter((d) => !knownNow(d));
  if (missing.length === 0) return;
  await pool.query('SELECT carepoints_history_partitions(d) FROM unnest($1::date[]) AS d', [textArray(missing.sort())]);
  for (const d of missing) known.set(d, nowMs);
}

/** Today's partitions and the next days' (and their quarters'), ahead of the batches that need them. */
export async function makeHistoryDaysAhead(pool: Pick<pg.Pool, 'query'>, now: Date): Promise<number> {
  const today = businessDay(now);
  const days = Array.from({ length: HISTORY_DAYS_AHEAD + 1 }, (_, i) => addDays(today, i));
  const before = (await historyPartitions(pool)).length;
  await ensureHistoryDays(pool, days, now.getTime());
  return (await historyPartitions(pool)).length - before;
}

/** The first business day whose payments are kept: a trade paid before it is beyond judging. */
export async function historyRetainedFrom(db: Pick<pg.Pool, 'query'>): Promise<string> {
  const { rows } = await db.query<{ day: string }>('SELECT retained_from::text AS day FROM history_horizon');
  return onlyRow(rows, 'the history horizon').day;
}

/** The first day of the quarter holding `day`: history is dropped a whole quarter at a time. */
export function quarterStart(day: string): string {
  const [y, m] = day.split('-').map(Number) as [number, number];
  return `${y}-${String(Math.floor((m - 1) / 3) * 3 + 1).padStart(2, '0')}-01`;
}

/** The first day kept: the start of the quarter holding the day `retentionDays` before today. */
export function retentionCutoff(today: string, retentionDays: number): string {
  if (!Number.isInteger(retentionDays) || retentionDays < MIN_HISTORY_RETENTION_DAYS) {
    throw new RangeError(`history retention must be at least ${MIN_HISTORY_RETENTION_DAYS} days, got ${retentionDays}`);
  }
  return quarterStart(addDays(today, -retentionDays));
}

/** The day after a partition's last day, from its name; null for a table that is not a history partition. */
export function partitionEnd(name: string): string | null {
  const daily = DAILY_NAME.exec(name);
  if (daily) return addDays(`${daily[1]}-${daily[2]}-${daily[3]}`, 1);
  const quarterly = QUARTERLY_NAME.exec(name);
  if (!quarterly) return null;
  const nextQuarter = Number(quarterly[2]) * 3 + 1;
  return nextQuarter > 12 ? `${Number(quarterly[1]) + 1}-01-01` : `${quarterly[1]}-${String(nextQuarter).padStart(2, '0')}-01`;
}

export interface HistoryPartition {
  parent: string;
  name: string;
  /** The first day after it. */
  endDay: string;
  /** A detach began and did not finish (its process stopped between the two steps of CONCURRENTLY). */
  detachPending: boolean;
}

export async function historyPartitions(db: Pick<pg.Pool, 'query'>): Promise<HistoryPartition[]> {
  const { rows } = await db.query<{ parent: string; name: string; detach_pending: boolean }>(
    `SELECT p.relname AS parent, c.relname AS name, i.inhdetachpending AS detach_pending FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
      WHERE p.relname = ANY($1::text[]) AND p.relnamespace = current_schema()::regnamespace ORDER BY c.relname`,
    [textArray([...DAILY, ...QUARTERLY])],
  );
  return rows.flatMap((r) => {
    const endDay = partitionEnd(r.name);
    return endDay ? [{ parent: r.parent, name: r.name, endDay, detachPending: r.detach_pending }] : [];
  });
}

/**
 * Moves the horizon first (so no batch starts on a day about to go), then detaches and drops every
 * partition that ends on or before the cutoff. Returns the dropped partitions' names.
 */
export async function dropHistoryBefore(pool: pg.Pool, cutoffDay: string): Promise<string[]> {
  await pool.query('UPDATE history_horizon SET retained_from = greatest(retained_from, $1::date)', [cutoffDay]);
  const dropped: string[] = [];
  // Citus 13 does not take DETACH … CONCURRENTLY on a distributed table: there the detach blocks briefly
  const { rows: citus } = await pool.query("SELECT 1 FROM pg_extension WHERE extname = 'citus'");
  for (const p of await historyPartitions(pool)) {
    if (p.endDay > cutoffDay) continue;
    // CONCURRENTLY waits for batches using the parent instead of blocking every new one behind it; a
    // detach left half done by a stopped process can only be finished (FINALIZE), not begun again
    const mode = p.detachPending ? 'FINALIZE' : citus.length ? '' : 'CONCURRENTLY';
    await pool.query(`ALTER TABLE ${quoteIdent(p.parent)} DETACH PARTITION ${quoteIdent(p.name)} ${mode}`);
    await pool.query(`DROP TABLE ${quoteIdent(p.name)}`);
    dropped.push(p.name);
  }
  const known = knownDays(pool);
  for (const day of [...known.keys()]) if (day < cutoffDay) known.delete(day);
  return dropped;
}

/** One retention round: history older than the policy is dropped. */
export async function applyHistoryRetention(pool: pg.Pool, retentionDays: number, now = new Date()): Promise<string[]> {
  return dropHistoryBefore(pool, retentionCutoff(businessDay(now), retentionDays));
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unexpected table name ${name}`);
  return `"${name}"`;
}
