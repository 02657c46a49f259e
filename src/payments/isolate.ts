/**
 * A poison notification must not fail its neighbours. A batch that fails for a reason other than the
 * database being away is split in halves and each half applied on its own, down to single
 * notifications; one that still fails is parked for operators (parked_notifications) and reported
 * as `parked`, and everything else applies. k poison items in n cost about 2k·log2(n) extra batches.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { isDatabaseUnavailable } from '../db/database.ts';
import { ingestPayments, type IngestResult } from './ingest.ts';
import type { PaymentNotification } from './notification.ts';
import { onlyRow } from '../shared/assert.ts';

export type IngestSource = 'webhook' | 'batch' | 'jetstream';

/** Whether splitting could help: an outage or a programming error (a batch too large) fails every half alike. */
function isolatable(err: unknown): boolean {
  return !isDatabaseUnavailable(err) && !(err instanceof RangeError);
}

export async function ingestIsolated(pool: pg.Pool, notifications: readonly PaymentNotification[], source: IngestSource): Promise<IngestResult[]> {
  try {
    return await ingestPayments(pool, notifications);
  } catch (err) {
    if (!isolatable(err)) throw err;
    if (notifications.length === 1) return [await park(pool, notifications[0]!, source, err)];
    const half = Math.ceil(notifications.length / 2);
    const first = await ingestIsolated(pool, notifications.slice(0, half), source);
    return [...first, ...(await ingestIsolated(pool, notifications.slice(half), source))];
  }
}

async function park(pool: pg.Pool, notification: PaymentNotification, source: IngestSource, err: unknown): Promise<IngestResult> {
  const json = JSON.stringify(notification);
  const error = err instanceof Error ? err.message : String(err);
  await pool.query(
    `INSERT INTO parked_notifications (trade_no, source, notification, fingerprint, error) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (fingerprint) DO UPDATE SET times = parked_notifications.times + 1, last_parked_at = now(), error = excluded.error, source = excluded.source`,
    [notification.tradeNo, source, json, createHash('sha256').update(json).digest('hex'), error],
  );
  return { tradeNo: notification.tradeNo, status: 'parked', outcome: null, creditFen: 0, welcomeFen: 0, clawedBackFen: 0, signals: [], error };
}

/** Parked in an hour past which operators are alerted (logged at error): one poison is a bug; this many, a database refusing everything. */
export const PARKED_ALERT_PER_HOUR = 10;

/**
 * Parking is never silent: each batch that parked something is logged at warn, and past
 * PARKED_ALERT_PER_HOUR in the last hour an operator alert is logged at error.
 */
export async function reportParked(
  pool: pg.Pool,
  log: { warn: (fields: object, message: string) => void; error: (fields: object, message: string) => void },
  results: readonly IngestResult[],
  source: IngestSource,
): Promise<void> {
  const parked = results.filter((r) => r.status === 'parked');
  if (parked.length === 0) return;
  log.warn({ source, parked: parked.length, tradeNos: parked.slice(0, 20).map((r) => r.tradeNo), reason: parked[0]!.error }, 'payment notifications parked for operators');
  const { rows } = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM parked_notifications WHERE last_parked_at > now() - interval '1 hour'");
  const parkedLastHour = onlyRow(rows, 'the count of notifications parked in the last hour').n;
  if (parkedLastHour >= PARKED_ALERT_PER_HOUR) {
    log.error({ source, parkedLastHour, threshold: PARKED_ALERT_PER_HOUR }, `operator alert: ${parkedLastHour} payment notifications parked in the last hour (GET /v1/ops/parked-notifications)`);
  }
}
