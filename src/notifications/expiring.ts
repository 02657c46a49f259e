/**
 * Tells merchants, once per merchant and expiry instant, that available credit will expire within
 * EXPIRING_WITHIN_DAYS. Credit collected on one business day expires at one instant, so a sweep
 * walks the instants entering the window in order and remembers how far it got (notification_sweeps):
 * each lot is looked at once, not every round. Credit whose whole validity is shorter than the
 * window (a ruleset of under a month) enters it already past the horizon and gets no notice.
 */
import type pg from 'pg';
import { inTransaction } from '../db/transaction.ts';
import { intArray } from '../db/arrays.ts';
import { businessDay } from '../shared/business-day.ts';
import { EXPIRING_WITHIN_DAYS } from '../points/summary.ts';
import { formatFenAsYuan } from '../shared/money.ts';
import { announceNotifications } from './store.ts';

const DAY_MS = 86_400_000;
/** Explicit limit: notices written per call (the next round continues where this one stopped). */
export const MAX_EXPIRY_NOTICES_PER_ROUND = 50_000;

export function expiryNoticeText(amountFen: number, expiresAt: Date): { zh: string; en: string } {
  const yuan = formatFenAsYuan(amountFen);
  const lastDay = businessDay(new Date(expiresAt.getTime() - 1));
  return {
    zh: `您有 ¥${yuan} 额度将于 ${lastDay} 到期，请在到期前使用。`,
    en: `¥${yuan} of your credit expires after ${lastDay}; use it before then.`,
  };
}

/** Writes the notices of credit whose expiry entered the window since the last round; returns how many. */
export async function noticeExpiringCredit(pool: pg.Pool, now: Date = new Date()): Promise<number> {
  const until = new Date(now.getTime() + EXPIRING_WITHIN_DAYS * DAY_MS);
  return inTransaction(pool, async (client) => {
    // the row lock makes concurrent rounds take turns
    await client.query("INSERT INTO notification_sweeps (sweep, horizon) VALUES ('credit_expiring', $1) ON CONFLICT DO NOTHING", [now]);
    const { rows: sweep } = await client.query<{ horizon: Date }>("SELECT horizon FROM notification_sweeps WHERE sweep = 'credit_expiring' FOR UPDATE");
    let horizon = new Date(Math.max(sweep[0]!.horizon.getTime(), now.getTime()));
    let written = 0;
    while (written < MAX_EXPIRY_NOTICES_PER_ROUND) {
      const { rows: next } = await client.query<{ at: Date | null }>(
        "SELECT min(expires_at) AS at FROM credit_lots WHERE state = 'available' AND expires_at > $1 AND expires_at <= $2",
        [horizon, until],
      );
      const instant = next[0]!.at;
      if (!instant) {
        horizon = until;
        break;
      }
      written += await noticeInstant(client, instant);
      horizon = instant;
    }
    await client.query("UPDATE notification_sweeps SET horizon = $1 WHERE sweep = 'credit_expiring'", [horizon]);
    return written;
  });
}

async function noticeInstant(client: pg.PoolClient, expiresAt: Date): Promise<number> {
  const { rows } = await client.query<{ merchant_id: number; amount_fen: string }>(
    "SELECT merchant_id, sum(remaining_fen)::text AS amount_fen FROM credit_lots WHERE state = 'available' AND expires_at = $1 AND remaining_fen > 0 GROUP BY merchant_id",
    [expiresAt],
  );
  if (rows.length === 0) return 0;
  const texts = rows.map((r) => expiryNoticeText(Number(r.amount_fen), expiresAt));
  const written = await client.query<{ merchant_id: string; notification_id: string }>(
    `INSERT INTO merchant_notifications (merchant_id, kind, zh, en, amount_fen, expires_at)
     SELECT m, 'credit_expiring', zh, en, amount, $5 FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[]) AS u(m, zh, en, amount)
     ON CONFLICT (merchant_id, expires_at) WHERE kind = 'credit_expiring' DO NOTHING
     RETURNING merchant_id, notification_id`,
    [intArray(rows.map((r) => r.merchant_id)), texts.map((t) => t.zh), texts.map((t) => t.en), intArray(rows.map((r) => Number(r.amount_fen))), expiresAt],
  );
  await announceNotifications(client, written.rows);
  return written.rowCount ?? 0;
}
