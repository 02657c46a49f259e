/** What the merchant is told (merchant_notifications): read, page, mark read. Writers are claims and the expiry notices. */
import type pg from 'pg';
import { onlyRow } from '../shared/assert.ts';

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

export interface MerchantNotification {
  merchantId: number;
  notificationId: number;
  at: Date;
  kind: string;
  claimId: string | null;
  zh: string;
  en: string;
  amountFen: number | null;
  expiresAt: Date | null;
  readAt: Date | null;
}

/** The channel every new notification is announced on, by the transaction that writes it (announceNotifications). */
export const NOTIFICATION_CHANNEL = 'carepoints_notifications';
export const MAX_NOTIFICATIONS_PAGE = 100;

/**
 * Announces new notifications to the processes' live streams: a NOTIFY sent by the writing
 * transaction on the node the application is connected to, delivered when it commits (a trigger's
 * would fire on the node holding the merchant's shard, where nobody listens).
 */
export async function announceNotifications(client: Queryable, written: readonly { merchant_id: number | string; notification_id: number | string }[]): Promise<void> {
  if (written.length === 0) return;
  await client.query(
    `SELECT pg_notify($1, json_build_object('merchantId', m, 'notificationId', n)::text) FROM unnest($2::bigint[], $3::bigint[]) AS v(m, n)`,
    [NOTIFICATION_CHANNEL, written.map((w) => String(w.merchant_id)), written.map((w) => String(w.notification_id))],
  );
}

const COLUMNS = `merchant_id::int AS "merchantId", notification_id::int AS "notificationId", at, kind, claim_id AS "claimId", zh, en,
  amount_fen::int AS "amountFen", expires_at AS "expiresAt", read_at AS "readAt"`;

/** Newest first, before the `beforeId` cursor; or (`afterId`, oldest first) what came since an id the client has. */
export async function listNotifications(
  db: Queryable,
  merchantId: number,
  page: { beforeId?: number; afterId?: number; unreadOnly?: boolean; limit: number },
): Promise<MerchantNotification[]> {
  const { rows } = await db.query<MerchantNotification>(
    `SELECT ${COLUMNS} FROM merchant_notifications
      WHERE merchant_id = $1 AND ($2::bigint IS NULL OR notification_id < $2) AND ($3::bigint IS NULL OR notification_id > $3) AND (NOT $4 OR read_at IS NULL)
      ORDER BY notification_id ${page.afterId === undefined ? 'DESC' : 'ASC'} LIMIT $5`,
    [merchantId, page.beforeId ?? null, page.afterId ?? null, page.unreadOnly ?? false, Math.min(page.limit, MAX_NOTIFICATIONS_PAGE + 1)],
  );
  return rows;
}

export async function getNotification(db: Queryable, merchantId: number, notificationId: number): Promise<MerchantNotification | null> {
  const { rows } = await db.query<MerchantNotification>(`SELECT ${COLUMNS} FROM merchant_notifications WHERE merchant_id = $1 AND notification_id = $2`, [merchantId, notificationId]);
  return rows[0] ?? null;
}

export async function countUnread(db: Queryable, merchantId: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM merchant_notifications WHERE merchant_id = $1 AND read_at IS NULL', [merchantId]);
  return onlyRow(rows, 'the count of unread notifications').n;
}

/** Marks read every notification up to and including `upToId` (what the app has shown); returns how many changed. */
export async function markRead(db: Queryable, merchantId: number, upToId: number, at: Date): Promise<number> {
  const { rowCount } = await db.query('UPDATE merchant_notifications SET read_at = $3 WHERE merchant_id = $1 AND notification_id <= $2 AND read_at IS NULL', [merchantId, upToId, at]);
  return rowCount ?? 0;
}

export async function latestNotificationId(db: Queryable, merchantId: number): Promise<number> {
  const { rows } = await db.query<{ id: number }>('SELECT coalesce(max(notification_id), 0)::int AS id FROM merchant_notifications WHERE merchant_id = $1', [merchantId]);
  return onlyRow(rows, 'the latest notification id').id;
}
