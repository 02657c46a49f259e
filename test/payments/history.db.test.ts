/**
 * Payment history by business day: each trade lands in its day's partition and stays there through
 * later notifications; retention drops whole quarters (never rows), and a notification about a trade
 * paid before the kept history has no effect.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ingestPayments } from '../../src/payments/ingest.ts';
import { dropHistoryBefore, historyPartitions, makeHistoryDaysAhead, partitionEnd, retentionCutoff } from '../../src/db/history.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { enrolMerchants } from '../support/fixtures.ts';
import { notification, payerWallet } from '../support/payments.ts';

let db: TestDatabase;
let sellers: string[];
before(async () => {
  db = await createTestDatabase();
  await enrolMerchants(db.pool, 2);
  sellers = (await db.pool.query<{ wallet_user_id: string }>('SELECT wallet_user_id FROM merchants ORDER BY merchant_id')).rows.map((r) => r.wallet_user_id);
});
after(async () => db.close());

const shanghai = (local: string) => new Date(`${local}+08:00`);

async function placeOf(table: string, tradeNo: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ part: string }>(`SELECT tableoid::regclass::text AS part FROM ${table} WHERE trade_no = $1`, [tradeNo]);
  return rows.map((r) => r.part);
}

test('retention keeps at least a refund window and cuts at a quarter; partitions name their last day', () => {
  assert.equal(retentionCutoff('2026-11-26', 400), '2025-10-01');
  assert.equal(retentionCutoff('2026-01-05', 370), '2024-10-01');
  assert.throws(() => retentionCutoff('2026-11-26', 90), /at least 370 days/);
  assert.equal(partitionEnd('payments_d20261231'), '2027-01-01');
  assert.equal(partitionEnd('payer_days_d20260228'), '2026-03-01');
  assert.equal(partitionEnd('trade_numbers_q2026q1'), '2026-04-01');
  assert.equal(partitionEnd('unmatched_payments_q2026q4'), '2027-01-01');
  assert.equal(partitionEnd('merchants'), null);
});

test('a trade is kept under its payment day, and a refund days later changes that same row', async () => {
  const paid = shanghai('2026-09-30T23:59:00');
  const [late] = await ingestPayments(db.pool, [notification({ tradeNo: 'H-Q3', sellerId: sellers[0]!, buyerId: payerWallet(1), gmtPayment: paid, totalAmountFen: 3000 })]);
  assert.equal(late!.creditFen, 200);
  await ingestPayments(db.pool, [notification({ tradeNo: 'H-Q4', sellerId: sellers[0]!, buyerId: payerWallet(2), gmtPayment: shanghai('2026-10-01T00:00:00') })]);
  await ingestPayments(db.pool, [notification({ tradeNo: 'H-UNMATCHED', sellerId: '2088777777777777', buyerId: payerWallet(3), gmtPayment: paid })]);
  assert.deepEqual(await placeOf('payments', 'H-Q3'), ['payments_d20260930']);
  assert.deepEqual(await placeOf('payments', 'H-Q4'), ['payments_d20261001']);
  assert.deepEqual(await placeOf('trade_numbers', 'H-Q3'), ['trade_numbers_q2026q3']);
  assert.deepEqual(await placeOf('unmatched_payments', 'H-UNMATCHED'), ['unmatched_payments_q2026q3']);
  const { rows: days } = await db.pool.query<{ part: string }>("SELECT tableoid::regclass::text AS part FROM merchant_days WHERE business_day = '2026-09-30'");
  assert.deepEqual(days.map((d) => d.part), ['merchant_days_d20260930']);

  // refunded in full three days later: the same row, its credit given back
  const [refund] = await ingestPayments(db.pool, [
    notification({ tradeNo: 'H-Q3', sellerId: sellers[0]!, buyerId: payerWallet(1), gmtPayment: paid, totalAmountFen: 3000, tradeStatus: 'TRADE_CLOSED', refundFeeFen: 3000, notifyTime: shanghai('2026-10-03T12:00:00') }),
  ]);
  assert.equal(refund!.status, 'applied');
  assert.equal(refund!.clawedBackFen, 400, 'the payer credit and the welcome');
  const { rows } = await db.pool.query('SELECT status, refunded_fen::int, history_day::text FROM payments WHERE trade_no = $1', ['H-Q3']);
  assert.deepEqual(rows, [{ status: 'TRADE_CLOSED', refunded_fen: 3000, history_day: '2026-09-30' }]);
});

test('retention drops whole quarters by partition; a trade paid before the kept history then has no effect', async () => {
  // a detach a stopped process left half done (the first step of CONCURRENTLY) is finished, not begun again
  await db.pool.query("UPDATE pg_inherits SET inhdetachpending = true WHERE inhrelid = 'payer_days_d20260930'::regclass");
  const dropped = await dropHistoryBefore(db.pool, '2026-10-01');
  assert.ok(dropped.includes('payments_d20260930') && dropped.includes('trade_numbers_q2026q3') && dropped.includes('unmatched_payments_q2026q3'), dropped.join(', '));
  assert.ok(dropped.includes('merchant_days_d20260930') && dropped.includes('payer_days_d20260930'));
  const left = (await historyPartitions(db.pool)).map((p) => p.name);
  assert.ok(left.includes('payments_d20261001') && left.includes('trade_numbers_q2026q4'));
  assert.ok(left.every((name) => partitionEnd(name)! > '2026-10-01'), left.join(', '));
  assert.deepEqual(await placeOf('payments', 'H-Q4'), ['payments_d20261001']);

  // a replay of the dropped trade, and a new trade of that old day: judged by nothing, so nothing
  const replay = await ingestPayments(db.pool, [
    notification({ tradeNo: 'H-Q3', sellerId: sellers[0]!, buyerId: payerWallet(1), gmtPayment: shanghai('2026-09-30T23:59:00'), totalAmountFen: 3000 }),
    notification({ tradeNo: 'H-Q3-NEW', sellerId: sellers[1]!, buyerId: payerWallet(4), gmtPayment: shanghai('2026-09-12T10:00:00') }),
    notification({ tradeNo: 'H-Q4-NEW', sellerId: sellers[1]!, buyerId: payerWallet(5), gmtPayment: shanghai('2026-10-01T10:00:00') }),
  ]);
  assert.deepEqual(
    replay.map((r) => [r.tradeNo, r.status, r.creditFen]),
    [
      ['H-Q3', 'beyond_history', 0],
      ['H-Q3-NEW', 'beyond_history', 0],
      ['H-Q4-NEW', 'applied', 200],
    ],
  );
  const again = (await historyPartitions(db.pool)).map((p) => p.name);
  assert.ok(!again.includes('payments_d20260930') && !again.includes('payments_d20260912'), 'no dropped day is made again');
  assert.deepEqual(await dropHistoryBefore(db.pool, '2026-07-01'), [], 'the horizon never moves back');
  assert.equal((await db.pool.query('SELECT retained_from::text AS d FROM history_horizon')).rows[0].d, '2026-10-01');
});

test('processes making the same day at once all succeed', async () => {
  // the race has several faces (the table's name, its row type, a catalog key): eight days, six makers each
  for (let day = 3; day <= 10; day++) {
    const date = `2031-02-${String(day).padStart(2, '0')}`;
    await Promise.all(Array.from({ length: 6 }, () => db.pool.query('SELECT carepoints_history_partitions($1)', [date])));
  }
  const names = (await historyPartitions(db.pool)).map((p) => p.name).filter((n) => n.endsWith('20310203') || n.endsWith('2031q1'));
  assert.deepEqual(names.sort(), ['merchant_days_d20310203', 'payer_days_d20310203', 'payments_d20310203', 'trade_numbers_q2031q1', 'unmatched_payments_q2031q1']);
});

test('a second database in the same process gets its own partitions (what one database has says nothing of another)', async () => {
  const other = await createTestDatabase();
  try {
    await enrolMerchants(other.pool, 1);
    const { rows } = await other.pool.query<{ wallet_user_id: string }>('SELECT wallet_user_id FROM merchants');
    const paid = shanghai('2026-10-01T10:00:00'); // a day the first database made its partitions for
    const [result] = await ingestPayments(other.pool, [notification({ tradeNo: 'H-OTHER-DB', sellerId: rows[0]!.wallet_user_id, buyerId: payerWallet(9), gmtPayment: paid })]);
    assert.equal(result!.status, 'applied');
    assert.deepEqual(
      (await other.pool.query<{ part: string }>("SELECT tableoid::regclass::text AS part FROM payments WHERE trade_no = 'H-OTHER-DB'")).rows.map((r) => r.part),
      ['payments_d20261001'],
    );
  } finally {
    await other.close();
  }
});

test("the periodic work makes today's partitions and the next days' ahead of the batches", async () => {
  const made = await makeHistoryDaysAhead(db.pool, shanghai('2032-03-30T09:00:00'));
  const names = (await historyPartitions(db.pool)).map((p) => p.name);
  for (const day of ['20320330', '20320331', '20320401', '20320402']) assert.ok(names.includes(`payments_d${day}`) && names.includes(`payer_days_d${day}`), day);
  assert.ok(names.includes('trade_numbers_q2032q1') && names.includes('trade_numbers_q2032q2'));
  assert.equal(made, 4 * 3 + 2 * 2);
  assert.equal(await makeHistoryDaysAhead(db.pool, shanghai('2032-03-30T10:00:00')), 0, 'nothing twice');
});
