/**
 * Reminders that save credit, on real PostgreSQL with the clock given to each round: a message before
 * pending credit lapses and before available credit expires, within the lead time and not before,
 * once per lot, none for credit already collected, and what the reminders saved.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { transferIdFor } from '../../src/ledger/index.ts';
import { reminderOutcomes, remindCredit, type ReminderLeadTimes } from '../../src/notifications/index.ts';
import { ingestPayments } from '../../src/payments/ingest.ts';
import { collectCredits, expireCredits, changeCredit, spendCreditNow } from '../../src/points/index.ts';
import { earnAndCollect } from '../support/credit.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { enrolMerchants, type TestMerchant } from '../support/fixtures.ts';
import { notification, payerWallet } from '../support/payments.ts';

const HOUR_MS = 3_600_000;
const LEADS: ReminderLeadTimes = { lapseLeadHours: 6, expiryLeadHours: 72 };
const PAID_AT = new Date('2026-11-20T02:00:00Z');
/** The classic ruleset's collection window: 48 hours from the payment. */
const COLLECT_BY = new Date(PAID_AT.getTime() + 48 * HOUR_MS);
const after_ = (from: Date, hours: number) => new Date(from.getTime() + hours * HOUR_MS);

let db: TestDatabase;
let merchants: TestMerchant[];

async function earn(m: TestMerchant, payers: number): Promise<void> {
  await ingestPayments(db.pool, Array.from({ length: payers }, (_, i) => notification({ tradeNo: `R${m.id}x${i}`, sellerId: m.walletUserId, buyerId: payerWallet(m.id * 10 + i), gmtPayment: PAID_AT })));
}

async function collect(m: TestMerchant, at: Date): Promise<void> {
  await changeCredit(db.pool, async (change) => {
    await change.lock([m.id]);
    await collectCredits(change, m.id, { availableCapFen: 100_000, validityMonths: 6 }, at);
  });
}

async function messagesOf(m: TestMerchant): Promise<{ kind: string; zh: string; en: string; amount_fen: number; expires_at: Date }[]> {
  const { rows } = await db.pool.query('SELECT kind, zh, en, amount_fen::int, expires_at FROM merchant_notifications WHERE merchant_id = $1 ORDER BY notification_id', [m.id]);
  return rows;
}

before(async () => {
  db = await createTestDatabase();
  merchants = await enrolMerchants(db.pool, 4);
});
after(async () => db.close());

test('pending credit: reminded once, within the lead time and not before, never when already collected', async () => {
  const [forgetful, diligent, late] = merchants as [TestMerchant, TestMerchant, TestMerchant];
  for (const m of [forgetful, diligent, late]) await earn(m, 2);
  await collect(diligent, after_(PAID_AT, 1));

  assert.equal(await remindCredit(db.pool, LEADS, after_(COLLECT_BY, -6.5)), 0, '6.5 hours before the end: too early');
  assert.deepEqual(await messagesOf(forgetful), []);

  assert.equal(await remindCredit(db.pool, LEADS, after_(COLLECT_BY, -5.5)), 2, 'inside the lead time: the two merchants still holding pending credit');
  const [message, ...more] = await messagesOf(forgetful);
  assert.equal(more.length, 0);
  // two payers at 200 fen and the welcome credit of 200
  assert.deepEqual({ ...message, zh: undefined, en: undefined }, { kind: 'credit_lapsing', amount_fen: 600, expires_at: COLLECT_BY, zh: undefined, en: undefined });
  assert.equal(message!.zh, '您有 ¥6.00 待领取额度将于 2026-11-22 10:00（北京时间）失效，请尽快打开应用领取。');
  assert.equal(message!.en, '¥6.00 of credit waiting for you lapses at 2026-11-22 10:00 (Beijing time) unless you collect it; open the app to collect it.');
  assert.deepEqual(await messagesOf(diligent), [], 'collected credit is not pending: no reminder');

  const again = await Promise.all([1, 2, 3].map((k) => remindCredit(db.pool, LEADS, after_(COLLECT_BY, -5 + k / 10))));
  assert.deepEqual(again, [0, 0, 0], 'each lot is reminded once, whoever runs the round');
  assert.equal((await messagesOf(forgetful)).length, 1);

  // the late one collects after the reminder, in time; the forgetful one lets it lapse
  await collect(late, after_(COLLECT_BY, -1));
  const lapse = (await reminderOutcomes(db.pool)).find((o) => o.kind === 'lapse');
  assert.deepEqual(lapse, { kind: 'lapse', messages: 2, lots: 6, remindedFen: 1_200, savedFen: 600 });
});

test('available credit: reminded once before it expires, and what is spent before then is saved', async () => {
  const saver = merchants[3]!;
  // ten days after the others: their credit expires more than the lead time before its
  await earnAndCollect(db.pool, saver, 3, after_(PAID_AT, 10 * 24));
  const { rows } = await db.pool.query<{ expires_at: Date }>("SELECT DISTINCT expires_at FROM credit_lots WHERE merchant_id = $1 AND state = 'available'", [saver.id]);
  assert.equal(rows.length, 1, 'credit collected together expires together');
  const expiresAt = rows[0]!.expires_at;

  assert.equal(await remindCredit(db.pool, LEADS, after_(expiresAt, -73)), 0, '73 hours before: too early');
  assert.equal(await remindCredit(db.pool, LEADS, after_(expiresAt, -71)), 1);
  assert.equal(await remindCredit(db.pool, LEADS, after_(expiresAt, -70)), 0, 'once');
  const reminder = (await messagesOf(saver)).filter((m) => m.kind === 'credit_expiry_reminder');
  assert.deepEqual(reminder.map((m) => [m.amount_fen, m.expires_at.toISOString()]), [[800, expiresAt.toISOString()]]);
  assert.match(reminder[0]!.en, /^Reminder: ¥8\.00 of your credit expires after \d{4}-\d\d-\d\d; use it before then\.$/);

  const expiry = async () => (await reminderOutcomes(db.pool)).find((o) => o.kind === 'expiry');
  assert.deepEqual(await expiry(), { kind: 'expiry', messages: 1, lots: 4, remindedFen: 800, savedFen: 0 }, 'nothing spent yet');

  // the merchant spends 3 yuan after the reminder; the other 5 expire
  await changeCredit(db.pool, async (change) => {
    await change.lock([saver.id]);
    await spendCreditNow(change, { merchantId: saver.id, transferId: transferIdFor('test_spend', 'reminded'), amountFen: 300, reference: 'test:reminded' });
  });
  await expireCredits(db.pool, expiresAt);
  assert.deepEqual(await expiry(), { kind: 'expiry', messages: 1, lots: 4, remindedFen: 800, savedFen: 300 });
});
