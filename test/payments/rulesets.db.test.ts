/**
 * Which rules judge a payment, and when credit must be collected: named rulesets govern only when
 * adopted, publishes never collide, a ruleset that credits at once takes only its own lots, and a
 * notification delivered late leaves the merchant the whole collection window.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type pg from 'pg';
import { merchantBalance } from '../../src/ledger/index.ts';
import { ingestPayments } from '../../src/payments/ingest.ts';
import { CLASSIC_2019 } from '../../src/points/accrual-rules.ts';
import { publishRuleset, RulesetError } from '../../src/points/rulesets.ts';
import { collectCredits, lapseUncollectedCredits, changeCredit } from '../../src/points/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { enrolMerchants } from '../support/fixtures.ts';
import { notification, payerWallet } from '../support/payments.ts';

let db: TestDatabase;
let merchants: { id: number; walletUserId: string }[];
before(async () => {
  db = await createTestDatabase();
  merchants = await enrolMerchants(db.pool, 5);
});
after(async () => db.close());

const PUBLISHED_AT = new Date('2026-06-01T00:00:00Z');
const shanghai = (local: string) => new Date(`${local}+08:00`);

async function creditOf(pool: pg.Pool, tradeNo: string): Promise<number> {
  return (await pool.query<{ credit_fen: number }>('SELECT credit_fen FROM payments WHERE trade_no = $1', [tradeNo])).rows[0]!.credit_fen;
}

test('another name does not govern until adopted; later versions of the name in force govern; the old name then does not', async () => {
  const m = merchants[0]!;
  const pay = (tradeNo: string, at: string, payer: number) => ingestPayments(db.pool, [notification({ tradeNo, sellerId: m.walletUserId, buyerId: payerWallet(payer), gmtPayment: shanghai(at) })]);

  const alternative = await publishRuleset(db.pool, { name: 'generous', effectiveFrom: shanghai('2027-01-01T00:00:00'), params: { ...CLASSIC_2019, creditPerPayerFen: 500 } }, PUBLISHED_AT);
  assert.equal(alternative.adopted, false, 'a new name is an alternative');
  await pay('R-1', '2027-02-01T10:00:00', 1);
  assert.equal(await creditOf(db.pool, 'R-1'), 200, 'classic-2019 still governs');

  const adopted = await publishRuleset(db.pool, { name: 'generous', effectiveFrom: shanghai('2027-03-01T00:00:00'), params: { ...CLASSIC_2019, creditPerPayerFen: 500 }, adopt: true }, PUBLISHED_AT);
  assert.deepEqual([adopted.version, adopted.adopted], [2, true]);
  await pay('R-2', '2027-03-05T10:00:00', 2);
  assert.equal(await creditOf(db.pool, 'R-2'), 500);

  const next = await publishRuleset(db.pool, { name: 'generous', effectiveFrom: shanghai('2027-04-01T00:00:00'), params: { ...CLASSIC_2019, creditPerPayerFen: 400 } }, PUBLISHED_AT);
  assert.equal(next.adopted, true, 'a version of the name in force governs without being told');
  const old = await publishRuleset(db.pool, { name: 'classic-2019', effectiveFrom: shanghai('2027-04-02T00:00:00'), params: { ...CLASSIC_2019, creditPerPayerFen: 100 } }, PUBLISHED_AT);
  assert.equal(old.adopted, false, 'the old name is no longer in force');
  await pay('R-3', '2027-04-05T10:00:00', 3);
  assert.equal(await creditOf(db.pool, 'R-3'), 400);
  await pay('R-0', '2026-01-01T10:00:00', 4);
  assert.equal(await creditOf(db.pool, 'R-0'), 200, 'before any later version: the first one');
});

test('concurrent publishes get consecutive versions; the same instant twice is refused with 409, not a crash', async () => {
  const published = await Promise.all(
    [1, 2, 3, 4, 5].map((i) => publishRuleset(db.pool, { name: 'drafts', effectiveFrom: shanghai(`2028-0${i}-01T00:00:00`), params: CLASSIC_2019 }, PUBLISHED_AT)),
  );
  assert.deepEqual(published.map((p) => p.version).sort(), [1, 2, 3, 4, 5]);
  await assert.rejects(
    Promise.all([1, 2].map(() => publishRuleset(db.pool, { name: 'drafts', effectiveFrom: shanghai('2028-09-01T00:00:00'), params: CLASSIC_2019 }, PUBLISHED_AT))),
    (err: unknown) => err instanceof RulesetError && err.status === 409 && err.field === 'effectiveFrom',
  );
});

test('a ruleset that credits at once collects only the lots it earned, not credit still waiting for the merchant', async () => {
  const m = merchants[1]!;
  await publishRuleset(db.pool, { name: 'instant', effectiveFrom: shanghai('2029-05-01T00:00:00'), params: { ...CLASSIC_2019, collectWindowHours: 0 }, adopt: true }, PUBLISHED_AT);
  await ingestPayments(db.pool, [notification({ tradeNo: 'I-1', sellerId: m.walletUserId, buyerId: payerWallet(11), gmtPayment: shanghai('2029-04-30T23:00:00') })]);
  await ingestPayments(db.pool, [notification({ tradeNo: 'I-2', sellerId: m.walletUserId, buyerId: payerWallet(12), gmtPayment: shanghai('2029-05-01T10:00:00') })]);
  const balance = (await merchantBalance(db.pool, m.id))!;
  // I-1 falls under 'generous' v3 of the first test (400 fen a payer) and waits with its welcome credit
  assert.deepEqual([balance.availableFen, balance.pendingFen], [200, 400 + 200], 'I-2 credited at once; I-1 and its welcome credit wait for the merchant');
});

test('late notifications: the window runs from delivery; the day’s first payers are those that arrived first', async () => {
  const m = merchants[2]!;
  const paidAt = shanghai('2026-03-02T10:00:00');
  const notifiedAt = shanghai('2026-03-03T20:00:00'); // 34 hours late
  await ingestPayments(db.pool, [notification({ tradeNo: 'L-1', sellerId: m.walletUserId, buyerId: payerWallet(21), gmtPayment: paidAt, notifyTime: notifiedAt })]);
  const { rows } = await db.pool.query<{ collect_by: Date }>("SELECT collect_by FROM credit_lots WHERE trade_no = 'L-1'");
  assert.deepEqual(rows.map((r) => r.collect_by.toISOString()), [shanghai('2026-03-05T20:00:00').toISOString(), shanghai('2026-03-05T20:00:00').toISOString()]);
  await lapseUncollectedCredits(db.pool, new Date(paidAt.getTime() + 49 * 3600_000));
  const states = await db.pool.query<{ state: string }>("SELECT state FROM credit_lots WHERE trade_no = 'L-1'");
  assert.deepEqual(states.rows.map((r) => r.state), ['pending', 'pending'], '48 hours after payment is too early to lapse');
  const collected = await changeCredit(db.pool, async (change) => {
    await change.lock([m.id]);
    return collectCredits(change, m.id, CLASSIC_2019, new Date(notifiedAt.getTime() + 47 * 3600_000));
  });
  assert.equal(collected.collectedFen, 400);

  // ten payers counted at noon; a notification of a 9 o'clock payment arriving after them finds the day full
  const n = merchants[3]!;
  const noon = Array.from({ length: 10 }, (_, i) => notification({ tradeNo: `F-${i}`, sellerId: n.walletUserId, buyerId: payerWallet(100 + i), gmtPayment: shanghai('2026-03-02T12:00:00') }));
  await ingestPayments(db.pool, noon);
  const [late] = await ingestPayments(db.pool, [notification({ tradeNo: 'F-early', sellerId: n.walletUserId, buyerId: payerWallet(200), gmtPayment: shanghai('2026-03-02T09:00:00') })]);
  assert.equal(late!.outcome, 'day_full', 'credit already granted is never taken back for an earlier-dated late arrival');
});
