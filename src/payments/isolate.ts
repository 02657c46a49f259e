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
