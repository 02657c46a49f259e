import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { merchantBalance } from '../../src/ledger/index.ts';
import { ingestPayments } from '../../src/payments/ingest.ts';
import { collectCredits, changeCredit, postReservation, reserveCredit } from '../../src/points/index.ts';
import { expireCredits, lapseUncollectedCredits } from '../../src/points/sweeps.ts';
import { CLASSIC_2019 } from '../../src/points/accrual-rules.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { enrolMerchants, enrolment, type TestMerchant } from '../support/fixtures.ts';
import { assertLedgerInvariants } from '../support/ledger-invariants.ts';
import { notification, payerWallet } from '../support/payments.ts';

let db: TestDatabase;
let merchants: TestMerchant[];
const wallet = (i: number) => enrolment(i + 1).walletUserId;
before(async () => {
  db = await createTestDatabase();
  merchants = await enrolMerchants(db.pool, 5);
});
after(async () => db.close());

const DAY1 = new Date('2026-11-20T02:00:00Z'); // 10:00 in Shanghai

async function lotsTotal(merchantId: number): Promise<{ pending: number; available: number }> {
  const { rows } = await db.pool.query(
    "SELECT coalesce(sum(remaining_fen) FILTER (WHERE state = 'pending'), 0)::int AS pending, coalesce(sum(remaining_fen) FILTER (WHERE state = 'available'), 0)::int AS available FROM credit_lots WHERE merchant_id = $1",
    [merchantId],
  );
  return rows[0];
}

test('the first ten distinct payers of a day earn 200 fen each, plus a welcome credit; repeats and self-payments earn nothing', async () => {
  const m = merchants[0]!;
  const batch = [
    ...Array.from({ length: 12 }, (_, i) => notification({ tradeNo: `T0-${i}`, sellerId: wallet(0), buyerId: payerWallet(i), gmtPayment: new Date(DAY1.getTime() + i * 60_000) })),
    notification({ tradeNo: 'T0-repeat', sellerId: wallet(0), buyerId: payerWallet(0) }),
    notification({ tradeNo: 'T0-self', sellerId: wallet(0), buyerId: wallet(0) }),
  ];
  const results = await ingestPayments(db.pool, batch);
  assert.deepEqual(
    results.map((r) => r.outcome),
    [...Array(10).fill('credited'), 'day_full', 'day_full', 'repeat_payer', 'self_payment'],
  );
  assert.equal(results[0]!.welcomeFen, 200);
  const balance = (await merchantBalance(db.pool, m.id))!;
  assert.equal(balance.pendingFen, 10 * 200 + 200);
  assert.equal(balance.availableFen, 0);
  // the next Shanghai day starts at 16:00 UTC: slots are free again
  const nextDay = await ingestPayments(db.pool, [notification({ tradeNo: 'T0-next', sellerId: wallet(0), buyerId: payerWallet(0), gmtPayment: new Date('2026-11-20T16:00:01Z') })]);
  assert.equal(nextDay[0]!.outcome, 'credited');
  await assertLedgerInvariants(db.pool);
});

test('a repeated notification has no second effect; a small payment earns 1 fen; unknown payees are kept as unmatched', async () => {
  const n = notification({ tradeNo: 'T1-a', sellerId: wallet(1), buyerId: payerWallet(1), totalAmountFen: 9 });
  const [first] = await ingestPayments(db.pool, [n]);
  const repeated = await ingestPayments(db.pool, [n, { ...n, tradeStatus: 'TRADE_FINISHED' }]);
  assert.equal(first!.outcome, 'small_payment');
  assert.equal(first!.creditFen, 1);
  assert.equal(repeated[0]!.status, 'duplicate');
  assert.equal(repeated[1]!.creditFen, 1, 'TRADE_FINISHED after TRADE_SUCCESS earns nothing more');
  assert.equal((await merchantBalance(db.pool, merchants[1]!.id))!.pendingFen, 1 + 200);
  const unmatched = await ingestPayments(db.pool, [notification({ tradeNo: 'T1-x', sellerId: '2088777777777777', buyerId: payerWallet(1) })]);
  assert.equal(unmatched[0]!.status, 'unmatched');
  const { rows } = await db.pool.query("SELECT merchant_id, outcome FROM unmatched_payments WHERE trade_no = 'T1-x'");
  assert.deepEqual(rows, [{ merchant_id: null, outcome: 'not_enrolled' }]);
  assert.equal((await merchantBalance(db.pool, merchants[1]!.id))!.pendingFen, 1 + 200);
});

test('collect within 48 h moves credit to available; later it lapses; refunds claw back into debt when spent', async () => {
  const m = merchants[2]!;
  await ingestPayments(db.pool, [1, 2, 3].map((i) => notification({ tradeNo: `T2-${i}`, sellerId: wallet(2), buyerId: payerWallet(i) })));
  const summary = await changeCredit(db.pool, async (change) => (await change.lock([m.id]), collectCredits(change, m.id, CLASSIC_2019, new Date(DAY1.getTime() + 3600_000))));
  assert.equal(summary.collectedFen, 800);
  assert.deepEqual(await lotsTotal(m.id), { pending: 0, available: 800 });
  // a credit earned later and never collected lapses after 48 h
  await ingestPayments(db.pool, [notification({ tradeNo: 'T2-4', sellerId: wallet(2), buyerId: payerWallet(4) })]);
  assert.equal(await lapseUncollectedCredits(db.pool, new Date(DAY1.getTime() + 47 * 3600_000)), 0, 'still inside the window');
  assert.ok((await lapseUncollectedCredits(db.pool, new Date(DAY1.getTime() + 49 * 3600_000))) >= 1);
  assert.equal((await merchantBalance(db.pool, m.id))!.pendingFen, 0);
  const lapsed = await db.pool.query("SELECT state FROM credit_lots WHERE trade_no = 'T2-4'");
  assert.deepEqual(lapsed.rows, [{ state: 'lapsed' }]);

  // a claim spends 700 of the 800 (lots drawn oldest first), then a full refund of T2-1, the trade
  // that also earned the welcome credit, gives back 400: 100 from available, 300 as debt
  const spend = { merchantId: m.id, payoutId: '5d1f4a52-6a3e-4c1b-9a57-3b1f0c2e7001', claimId: 'claim-T2', amountFen: 700 };
  await changeCredit(db.pool, async (change) => {
    await change.lock([m.id]);
    await reserveCredit(change, spend);
    await postReservation(change, spend);
  });
  const [refund] = await ingestPayments(db.pool, [notification({ tradeNo: 'T2-1', sellerId: wallet(2), buyerId: payerWallet(1), tradeStatus: 'TRADE_CLOSED' })]);
  assert.equal(refund!.clawedBackFen, 400, 'payer credit and welcome credit given back');
  const balance = (await merchantBalance(db.pool, m.id))!;
  assert.equal(balance.availableFen, 0);
  assert.equal(balance.debtFen, 300);
  // debt is repaid first by later credits
  await ingestPayments(db.pool, [notification({ tradeNo: 'T2-5', sellerId: wallet(2), buyerId: payerWallet(5), gmtPayment: new Date('2026-11-21T02:00:00Z') })]);
  const repaid = await changeCredit(db.pool, async (change) => (await change.lock([m.id]), collectCredits(change, m.id, CLASSIC_2019, new Date('2026-11-21T03:00:00Z'))));
  assert.deepEqual([repaid.debtRepaidFen, repaid.collectedFen], [200, 0]);
  assert.equal((await merchantBalance(db.pool, m.id))!.debtFen, 100);
  await assertLedgerInvariants(db.pool);
});

test('collected credit expires six months after the day it was collected', async () => {
  const m = merchants[3]!;
  await ingestPayments(db.pool, [notification({ tradeNo: 'T3-1', sellerId: wallet(3), buyerId: payerWallet(1) })]);
  await changeCredit(db.pool, async (change) => (await change.lock([m.id]), collectCredits(change, m.id, CLASSIC_2019, new Date('2026-11-20T03:00:00Z'))));
  await expireCredits(db.pool, new Date('2027-05-19T15:59:59Z'));
  assert.equal((await merchantBalance(db.pool, m.id))!.availableFen, 400, 'valid through 19 May (Shanghai)');
  await expireCredits(db.pool, new Date('2027-05-19T16:00:00Z'));
  const { rows } = await db.pool.query('SELECT state FROM credit_lots WHERE merchant_id = $1', [m.id]);
  assert.deepEqual(rows.map((r) => r.state), ['expired', 'expired']);
  assert.equal((await merchantBalance(db.pool, m.id))!.availableFen, 0);
  await assertLedgerInvariants(db.pool);
});

test('a trade first seen before its payee enrolled neither crashes its batch nor moves to the new merchant', async () => {
  const late = '2088000099999999';
  await ingestPayments(db.pool, [notification({ tradeNo: 'T4-1', sellerId: late, buyerId: payerWallet(1), tradeStatus: 'WAIT_BUYER_PAY', gmtPayment: null })]);
  await db.pool.query(
    "INSERT INTO merchants (wallet_user_id, legal_name, id_number_hash, phone, city, enrolled_at) VALUES ($1, '迟到', repeat('e', 64), '13900000000', '杭州', now())",
    [late],
  );
  const results = await ingestPayments(db.pool, [
    notification({ tradeNo: 'T4-1', sellerId: late, buyerId: payerWallet(1) }),
    notification({ tradeNo: 'T4-2', sellerId: wallet(4), buyerId: payerWallet(1) }),
  ]);
  assert.deepEqual(results.map((r) => r.outcome), ['not_enrolled', 'credited']);
});

test('concurrent batches for one payer keep every merchant the payer paid that day', async () => {
  await Promise.all([0, 1, 2, 3].map((i) => ingestPayments(db.pool, [notification({ tradeNo: `T5-${i}`, sellerId: wallet(i), buyerId: payerWallet(99), gmtPayment: new Date('2026-11-22T02:00:00Z') })])));
  const { rows } = await db.pool.query("SELECT merchant_ids FROM payer_days WHERE buyer_id = $1 AND business_day = '2026-11-22'", [payerWallet(99)]);
  assert.equal(rows[0].merchant_ids.length, 4);
  assert.equal(typeof rows[0].merchant_ids[0], 'number', 'int8 arrays come back as numbers');
});
