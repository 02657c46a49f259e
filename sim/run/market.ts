/**
 * The market phases of a simulated day, through the product's own code: enrolment
 * (importEnrolments), payments (ingestIsolated, batches of at most 10,000, two in flight, one when
 * the world has a budget; the fraud's one at a time), reminders before credit is lost (remindCredit), collection in the app
 * (collectCreditsOf, a chunk of merchants at a time) and the day-end settlement of the day's signals
 * and sweeps (lapse, expiry).
 */
import { importEnrolments, resolveIdHashKey } from '../../src/merchants/store.ts';
import { businessDayStart } from '../../src/shared/business-day.ts';
import { ingestIsolated } from '../../src/payments/isolate.ts';
import { settleDaySignals } from '../../src/payments/settle-signals.ts';
import { DEFAULT_REMINDER_LEAD_TIMES } from '../../src/config/config.ts';
import { remindCredit } from '../../src/notifications/index.ts';
import type { PaymentNotification } from '../../src/payments/notification.ts';
import { loadRulesets } from '../../src/points/rulesets.ts';
import { rulesetAt } from '../../src/points/accrual-rules.ts';
import { collectCreditsOf, expireCredits, lapseUncollectedCredits, changeCredit } from '../../src/points/index.ts';
import { fraudPayments } from '../world/fraud.ts';
import { collectsOn, enrolmentOf, merchantAt, merchantIndexOfWallet, type SimMerchant } from '../world/population.ts';
import { merchantDayPayments } from '../world/traffic.ts';
import { dayOf } from '../world/world.ts';
import { checkStop, type SimContext } from './context.ts';
import { chunksOf, inFlightWindow } from './parallel.ts';

const ENROL_CHUNK = 20_000;
/** A busy merchant's day is a few hundred notifications: a batch closes before it could pass 10,000. */
const BATCH_NOTIFICATIONS = 9_000;
const INGEST_BATCH = 10_000;
const COLLECT_CHUNK = 200;
const HOUR_MS = 3_600_000;

export async function enrolPhase(ctx: SimContext, day: number, newcomers: readonly SimMerchant[]): Promise<number> {
  const bar = ctx.progress.phase(`day ${day + 1} enrol`, newcomers.length, 'merchants');
  const key = await resolveIdHashKey(ctx.pool, null);
  for (let start = 0; start < newcomers.length; start += ENROL_CHUNK) {
    checkStop(ctx, day, 'enrolment');
    const rows = newcomers.slice(start, start + ENROL_CHUNK).map((m, i) => ({ line: start + i + 2, input: enrolmentOf(ctx.world, m) }));
    // a resumed day finds some already enrolled: they are skipped, not errors
    await importEnrolments(ctx.pool, rows, key, { skipDuplicates: true });
    bar.advance(rows.length);
  }
  return bar.done().items;
}

/** Sends batches through ingestion, `width` in flight. */
async function ingestAll(ctx: SimContext, day: number, batches: Iterable<PaymentNotification[]>, advance: (n: number) => void, width = 2): Promise<void> {
  await inFlightWindow(batches, async (batch) => {
    await ingestIsolated(ctx.pool, batch, 'batch');
    advance(batch.length);
  }, ctx.stopping, width);
  checkStop(ctx, day, 'payments');
}

function* merchantBatches(ctx: SimContext, day: number, enrolled: readonly SimMerchant[]): Generator<PaymentNotification[]> {
  let batch: PaymentNotification[] = [];
  for (const m of enrolled) {
    batch.push(...merchantDayPayments(ctx.world, m, day));
    if (batch.length >= (ctx.batchNotifications ?? BATCH_NOTIFICATIONS)) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

export async function paymentsPhase(ctx: SimContext, day: number, enrolled: readonly SimMerchant[]): Promise<number> {
  const fraud = fraudPayments(ctx.world, day, enrolled);
  // about 13 notifications a merchant-day on average (see traffic.ts): the bar's total is an estimate
  const bar = ctx.progress.phase(`day ${day + 1} payments`, enrolled.length * 13 + fraud.length, 'notifications');
  // with a budget, one batch at a time: which payments take a month's last room must not depend on
  // which of two batches in flight locks the budget first
  await ingestAll(ctx, day, merchantBatches(ctx, day, enrolled), bar.advance, ctx.world.budgetFen === undefined ? 2 : 1);
  for (const chunk of chunksOf(fraud, INGEST_BATCH)) {
    await ctx.pool.query(
      'INSERT INTO sim_fraud_payments (trade_no, kind, actor) SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING',
      [chunk.map((f) => f.notification.tradeNo), chunk.map((f) => f.kind), chunk.map((f) => f.actor)],
    );
  }
  // one at a time: a merchant's fraud payments may span two chunks, and which of them takes the
  // day's last payer slots must not depend on which chunk commits first
  await ingestAll(ctx, day, chunksOf(fraud.map((f) => f.notification), INGEST_BATCH), bar.advance, 1);
  return bar.done().items;
}

/** Reminders are sent by the hour until the evening's collection (the periodic work sends them every few seconds). */
const REMINDER_HOURS = 21;

/**
 * The periodic work's reminders through the day, an hour at a time up to the evening's collection,
 * with the default lead times: each round reminds what falls due within the lead time of its hour.
 * The simulated merchants do not react to them (collecting is the world's behaviour): the report
 * counts the reminded credit that was then collected or spent in time.
 */
export async function remindPhase(ctx: SimContext, day: number): Promise<number> {
  const bar = ctx.progress.phase(`day ${day + 1} reminders`, REMINDER_HOURS, 'messages');
  const dayStart = businessDayStart(dayOf(ctx.world, day)).getTime();
  for (let hour = 0; hour < REMINDER_HOURS; hour++) {
    checkStop(ctx, day, 'reminders');
    const at = new Date(dayStart + hour * HOUR_MS);
    for (let n = await remindCredit(ctx.pool, DEFAULT_REMINDER_LEAD_TIMES, at); n > 0; n = await remindCredit(ctx.pool, DEFAULT_REMINDER_LEAD_TIMES, at)) bar.advance(n);
  }
  return bar.done().items;
}

/** Merchants open the app in the evening and collect what their customers earned them (if they do). */
export async function collectPhase(ctx: SimContext, day: number): Promise<number> {
  // A day's payments are a bulk load: millions of new lots before autovacuum's next ANALYZE. With the
  // statistics of before it, the planner took the expiry index (tiny then) for the lots/ledger check of
  // every collected merchant and read every available lot each time: 44 lots/s at 1 M merchants.
  await ctx.pool.query('ANALYZE credit_lots, ledger_accounts');
  const at = new Date(businessDayStart(dayOf(ctx.world, day)).getTime() + 21 * HOUR_MS);
  const rules = rulesetAt(await loadRulesets(ctx.pool), at).rules;
  const { rows } = await ctx.pool.query<{ merchant_id: number; wallet_user_id: string }>(
    `SELECT merchant_id, wallet_user_id FROM merchants
      WHERE merchant_id IN (SELECT DISTINCT merchant_id FROM credit_lots WHERE state = 'pending' AND collect_by > $1)
      ORDER BY merchant_id`,
    [at],
  );
  const collectors = rows.filter((r) => collectsOn(ctx.world, merchantAt(ctx.world, merchantIndexOfWallet(r.wallet_user_id)), day)).map((r) => r.merchant_id);
  const bar = ctx.progress.phase(`day ${day + 1} collect`, collectors.length, 'merchants');
  await inFlightWindow(chunksOf(collectors, COLLECT_CHUNK), async (chunk) => {
    await changeCredit(ctx.pool, async (change) => {
      await change.lock(chunk);
      await collectCreditsOf(change, chunk, rules, at);
    });
    bar.advance(chunk.length);
  }, ctx.stopping);
  checkStop(ctx, day, 'collection');
  return bar.done().items;
}

/**
 * At midnight: the day's cross-merchant signals are settled on the payments' own order (as the
 * periodic work does for a day that is over), uncollected credit past its window lapses, credit past
 * its validity expires.
 */
export async function sweepPhase(ctx: SimContext, day: number): Promise<number> {
  const midnight = businessDayStart(dayOf(ctx.world, day + 1));
  const settled = ctx.progress.phase(`day ${day + 1} signals settled`, 0, 'payments');
  settled.advance(await settleDaySignals(ctx.pool, dayOf(ctx.world, day)));
  settled.done();
  const bar = ctx.progress.phase(`day ${day + 1} lapse and expiry`, 0, 'lots');
  for (const sweep of [lapseUncollectedCredits, expireCredits]) {
    for (let n = await sweep(ctx.pool, midnight); n > 0; n = await sweep(ctx.pool, midnight)) {
      bar.advance(n);
      checkStop(ctx, day, 'sweeps');
    }
  }
  return bar.done().items;
}
