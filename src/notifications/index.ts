/** What merchants are told: claim status changes (written by claims), expiring credit and reminders before credit is lost; read, marked read, streamed live. */
import type pg from 'pg';
import { ChannelWatch } from '../db/listen.ts';
import type { NotificationNotice } from './routes.ts';
import { NOTIFICATION_CHANNEL } from './store.ts';

export { notificationRoutes, type NotificationNotice } from './routes.ts';
export { noticeExpiringCredit, expiryNoticeText } from './expiring.ts';
export { remindCredit, reminderOutcomes, reminderText, REMINDER_NOTIFICATION_KINDS, type ReminderKind, type ReminderLeadTimes, type ReminderOutcome } from './reminders.ts';
export { announceNotifications, listNotifications, markRead, NOTIFICATION_CHANNEL, type MerchantNotification } from './store.ts';

export function notificationWatch(pool: pg.Pool): ChannelWatch<NotificationNotice, number> {
  return new ChannelWatch<NotificationNotice, number>(pool, NOTIFICATION_CHANNEL, (notice) => notice.merchantId);
}
