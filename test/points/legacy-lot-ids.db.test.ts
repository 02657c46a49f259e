/**
 * Lots earned before transfer ids were ordered by time keep their version 5 ids (ids are immutable
 * in the ledger): a refund that comes after the change still finds them and takes their credit back.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { merchantBalance, transferIdFor } from '../../src/ledger/index.ts';
import { ingestPayments } from '../../src/payments/ingest.ts';
import { lapseUncollectedCredits } from '../../src/points/index.ts';
import { assertLotsMatchLedger } from '../support/credit-invariants.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { enrolMerchants, type TestMerchant } from '../support/fixtures.ts';
import { assertLedgerInvariants } from '../support/ledger-invariants.ts';
import { notification, payerWallet } from '../support/payments.ts';
import type { PaymentNotification } from '../../src/payments/notification.ts';

let db: TestDatabase;
let merchants: TestMerchant[];
before(async () => {
  db = await createTestDatabase();
  merchants = await enrolMerchants(db.pool, 2);
});
after(async () => db.close());

/** Gives a trade's lots and earn transfers the ids the code before ordered ids made, as that code left them. */
async function asEarnedBeforeOrderedIds(tradeNo: string): Promise<void> {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    // the ledger's guards refuse any change to a transfer; this rewrites history as an older version wrote it
    await client.query("SET LOCAL session_replication_role = 'replica'");
    const { rows } = await client.query<{ lot_id: string; kind: string }>('SELECT lot_id, kind FROM credit_lots WHERE trade_no = $1', [tradeNo]);
    assert.equal(rows.length, 2, 'the trade earned a payer and a welcome lot');
    for (const { lot_id: lotId, kind } of rows) {
      const legacy = transferIdFor('earn', tradeNo, kind);
      for (const [table, column] of [['credit_lots', 'lot_id'], ['ledger_transfers', 'transfer_id'], ['ledger_transfer_ids', 'transfer_id']] as const) {
        const { rowCount } = await client.query(`UPDATE ${table} SET ${column} = $2 WHERE ${column} = $1`, [lotId, legacy]);
        assert.equal(rowCount, 1, `${table} holds the lot's id once`);
      }
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

/** A merchant's first trade (a payer and a welcome lot), paid and credited by the code before ordered ids. */
async function paidBeforeOrderedIds(merchant: TestMerchant, tradeNo: string): Promise<PaymentNotification> {
  const paid = notification({ tradeNo, sellerId: merchant.walletUserId, buyerId: payerWallet(merchant.id), gmtPayment: new Date('2026-03-02T02:00:00Z') });
  await ingestPayments(db.pool, [paid]);
  await asEarnedBeforeOrderedIds(tradeNo);
  return paid;
}

/** A trade's lots, payer then welcome. */
async function lotsOf(tradeNo: string): Promise<{ kind: string; state: string; remaining: number; lost: number }[]> {
  const { rows } = await db.pool.query('SELECT kind, state, remaining_fen::int AS remaining, lost_fen::int AS lost FROM credit_lots WHERE trade_no = $1 ORDER BY kind', [tradeNo]);
  return rows;
}

async function assertBooksWhole(): Promise<void> {
  await assertLotsMatchLedger(db.pool);
  await assertLedgerInvariants(db.pool);
}

function refundAll(paid: PaymentNotification, at: Date): Promise<unknown> {
  return ingestPayments(db.pool, [{ ...paid, tradeStatus: 'TRADE_CLOSED', refundFeeFen: paid.totalAmountFen, gmtRefund: at }]);
}

test("a refund after ids were ordered claws back a trade's lots that carry version 5 ids", async () => {
  const merchant = merchants[0]!;
  const paid = await paidBeforeOrderedIds(merchant, 'LEGACY-1');

  await refundAll(paid, new Date('2026-03-02T03:00:00Z'));
  assert.deepEqual(
    (await lotsOf('LEGACY-1')).map(({ kind, state, remaining }) => ({ kind, state, remaining })),
    [
      { kind: 'payer', state: 'clawed_back', remaining: 0 },
      { kind: 'welcome', state: 'clawed_back', remaining: 0 },
    ],
  );
  const balance = (await merchantBalance(db.pool, merchant.id))!;
  assert.equal(balance.pendingFen, 0);
  assert.equal(balance.debtFen, 0, 'the credit came back from the lots, not as debt');
  await assertBooksWhole();
});

test("a refund after ids were ordered forgives what a trade's lapsed version 5 lots lost, instead of making it debt", async () => {
  const merchant = merchants[1]!;
  const paid = await paidBeforeOrderedIds(merchant, 'LEGACY-2');
  // uncollected past its window: the credit lapses, and only the lots' own ids lead back to what was lost
  while ((await lapseUncollectedCredits(db.pool, new Date('2026-03-10T00:00:00Z'))) > 0);

  await refundAll(paid, new Date('2026-03-11T03:00:00Z'));
  assert.deepEqual(
    (await lotsOf('LEGACY-2')).map(({ kind, state, lost }) => ({ kind, state, lost })),
    [
      { kind: 'payer', state: 'lapsed', lost: 200 },
      { kind: 'welcome', state: 'lapsed', lost: 200 },
    ],
  );
  assert.equal((await merchantBalance(db.pool, merchant.id))!.debtFen, 0, 'credit the merchant never had is not taken back as debt');
  await assertBooksWhole();
});
