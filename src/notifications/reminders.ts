/**
 * Reminders that save credit: a message to the merchant before pending credit lapses (uncollected
 * at the end of its collection window) and before available credit expires, each lot at most once
 * of each kind (credit_reminders' key). A round reminds every lot whose deadline falls within the
 * lead time from `now`, one message per merchant and kind with the sum at stake and the first
 * deadline. The lead times are configuration (CAREPOINTS_REMINDER_*_LEAD_HOURS).
 */
import type pg from 'pg';
import type { ReminderLeadTimes } from '../config/config.ts';
import { intArray, textArray } from '../db/arrays.ts';
import { inTransaction } from '../db/transaction.ts';
import { businessMinute } from '../shared/business-day.ts';
import { formatFenAsYuan } from '../shared/money.ts';
import { expiryNoticeText } from './expiring.ts';
import { announceNotifications } from './store.ts';

export type ReminderKind = 'lapse' | 'expiry';

export type { ReminderLeadTimes };
/** Explicit limit: lots reminded per kind and call (the next round continues). */
export const MAX_REMINDED_LOTS_PER_ROUND = 20_000;

const HOUR_MS = 3_600_000;
/** The notification kind each reminder is told as. */
export const REMINDER_NOTIFICATION_KINDS: Readonly<Record<ReminderKind, string>> = { lapse: 'credit_lapsing', expiry: 'credit_expiry_reminder' };

/** Pending credit lapses at an instant of the day; available credit expires at a midnight, so its words name the last day (as the 30-day notice's). */
export function reminderText(kind: ReminderKind, amountFen: number, deadline: Date): { zh: string; en: string } {
  if (kind === 'expiry') {
    const notice = expiryNoticeText(amountFen, deadline);
    return { zh: `提醒：${notice.zh}`, en: `Reminder: ${notice.en}` };
  }
  const yuan = formatFenAsYuan(amountFen);
  const at = businessMinute(deadline);
  return { zh: `您有 ¥${yuan} 待领取额度将于 ${at}（北京时间）失效，请尽快打开应用领取。`, en: `¥${yuan} of credit waiting for you lapses at ${at} (Beijing time) unless you collect it; open the app to collect it.` };
}

export interface RemindedLot {
  merchantId: number;
  amountFen: number;
  deadline: Date;
}

/** One message per merchant: the sum at stake and the first deadline, merchants in id order. */
export function reminderMessages(lots: readonly RemindedLot[]): RemindedLot[] {
  const byMerchant = new Map<number, RemindedLot>();
  for (const lot of lots) {
    const seen = byMerchant.get(lot.merchantId);
    byMerchant.set(lot.merchantId, seen ? { merchantId: lot.merchantId, amountFen: seen.amountFen + lot.amountFen, deadline: seen.deadline < lot.deadline ? seen.deadline : lot.deadline } : lot);
  }
  return [...byMerchant.values()].sort((a, b) => a.merchantId - b.merchantId);
}

const DUE: Record<ReminderKind, { state: string; deadline: string }> = {
  lapse: { state: 'pending', deadline: 'collect_by' },
  expiry: { state: 'available', deadline: 'expires_at' },
};

/** Reminds the lots of one kind due within `leadHours` of `now`; returns the messages written. */
async function remindKind(pool: pg.Pool, kind: ReminderKind, leadHours: number, now: Date): Promise<number> {
  const { state, deadline } = DUE[kind];
  return inTransaction(pool, async (client) => {
    // the key decides: a lot another round reminded meanwhile is not returned, and is not told twice
    const { rows } = await client.query<{ merchant_id: string; amount_fen: string; deadline: Date }>(
      `INSERT INTO credit_reminders (merchant_id, lot_id, kind, deadline, amount_fen, lost_before_fen, reminded_at)
       SELECT l.merchant_id, l.lot_id, $1, l.${deadline}, l.remaining_fen, l.lost_fen, $2
         FROM credit_lots l
        WHERE l.state = '${state}' AND l.remaining_fen > 0 AND l.${deadline} > $2 AND l.${deadline} <= $3
          AND NOT EXISTS (SELECT 1 FROM credit_reminders r WHERE r.merchant_id = l.merchant_id AND r.lot_id = l.lot_id AND r.kind = $1)
        ORDER BY l.${deadline}, l.lot_id LIMIT $4
       ON CONFLICT DO NOTHING
       RETURNING merchant_id, amount_fen, deadline`,
      [kind, now, new Date(now.getTime() + leadHours * HOUR_MS), MAX_REMINDED_LOTS_PER_ROUND],
    );
    const messages = reminderMessages(rows.map((r) => ({ merchantId: Number(r.merchant_id), amountFen: Number(r.amount_fen), deadline: r.deadline })));
    if (messages.length === 0) return 0;
    const texts = messages.map((m) => reminderText(kind, m.amountFen, m.deadline));
    const written = await client.query<{ merchant_id: string; notification_id: string }>(
      `INSERT INTO merchant_notifications (merchant_id, at, kind, zh, en, amount_fen, expires_at)
       SELECT m, $1, $2, zh, en, amount, deadline FROM unnest($3::bigint[], $4::text[], $5::text[], $6::bigint[], $7::timestamptz[]) AS u(m, zh, en, amount, deadline)
       RETURNING merchant_id, notification_id`,
      [
        now,
        REMINDER_NOTIFICATION_KINDS[kind],
        intArray(messages.map((m) => m.merchantId)),
        textArray(texts.map((t) => t.zh)),
        textArray(texts.map((t) => t.en)),
        intArray(messages.map((m) => m.amountFen)),
        messages.map((m) => m.deadline.toISOString()),
      ],
    );
    await announceNotifications(client, written.rows);
    return written.rowCount ?? 0;
  });
}

/** A periodic round's reminders, both kinds; returns the messages written. `now` is the caller's clock. */
export async function remindCredit(pool: pg.Pool, leads: ReminderLeadTimes, now: Date): Promise<number> {
  return (await remindKind(pool, 'lapse', leads.lapseLeadHours, now)) + (await remindKind(pool, 'expiry', leads.expiryLeadHours, now));
}

export interface ReminderOutcome {
  kind: ReminderKind;
  /** Messages written (one per merchant and round). */
  messages: number;
  lots: number;
  remindedFen: number;
  /** Reminded credit then collected before its window ended (lapse), or spent before it expired (expiry). */
  savedFen: number;
}

/** What the reminders came to: how much they put before merchants, and how much was then saved. */
export async function reminderOutcomes(db: Pick<pg.Pool, 'query'>): Promise<ReminderOutcome[]> {
  const { rows } = await db.query<{ kind: ReminderKind; lots: number; reminded: string; saved: string }>(
    `SELECT r.kind, count(*)::int AS lots, sum(r.amount_fen)::text AS reminded,
            sum(CASE
                  WHEN r.kind = 'lapse' THEN CASE WHEN l.collected_at IS NOT NULL AND l.collected_at <= r.deadline AND l.state <> 'clawed_back' THEN r.amount_fen ELSE 0 END
                  WHEN l.state = 'expired' THEN greatest(0, r.amount_fen - (l.lost_fen - r.lost_before_fen))
                  WHEN l.state = 'clawed_back' THEN 0
                  ELSE greatest(0, r.amount_fen - l.remaining_fen)
                END)::text AS saved
       FROM credit_reminders r JOIN credit_lots l ON l.merchant_id = r.merchant_id AND l.lot_id = r.lot_id
      GROUP BY r.kind`,
  );
  const { rows: messages } = await db.query<{ kind: string; n: number }>(
    'SELECT kind, count(*)::int AS n FROM merchant_notifications WHERE kind = ANY($1::text[]) GROUP BY kind',
    [Object.values(REMINDER_NOTIFICATION_KINDS)],
  );
  return (['lapse', 'expiry'] as const).map((kind) => {
    const r = rows.find((x) => x.kind === kind);
    return {
      kind,
      messages: messages.find((m) => m.kind === REMINDER_NOTIFICATION_KINDS[kind])?.n ?? 0,
      lots: r?.lots ?? 0,
      remindedFen: Number(r?.reminded ?? 0),
      savedFen: Number(r?.saved ?? 0),
    };
  });
}
