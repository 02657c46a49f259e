/**
 * The cross-merchant signals do not depend on the order payments arrive or commit in: the same
 * day ingested in time order and in reverse (each notification its own batch, as racing batches
 * commit) reads differently at first, and identically once the day is settled, on real PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ingestPayments } from '../../src/payments/ingest.ts';
import type { PaymentNotification } from '../../src/payments/notification.ts';
import { settleDaySignals } from '../../src/payments/settle-signals.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { enrolMerchants, type TestMerchant } from '../support/fixtures.ts';
import { notification, payerWallet } from '../support/payments.ts';

const DAY = '2026-11-20';
const at = (minute: number) => new Date(Date.UTC(2026, 10, 20, 2, minute));

let timeOrder: TestDatabase;
let reverseOrder: TestDatabase;
let merchants: TestMerchant[];

/** One payer paying seven merchants (the classic ruleset flags more than five), two merchants paying each other. */
function theDay(m: readonly TestMerchant[]): PaymentNotification[] {
  const fanOut = m.slice(0, 7).map((to, k) => notification({ tradeNo: `FAN-${k}`, buyerId: payerWallet(1), sellerId: to.walletUserId, gmtPayment: at(k) }));
  return [
    ...fanOut,
    notification({ tradeNo: 'CYCLE-A', buyerId: m[7]!.walletUserId, sellerId: m[8]!.walletUserId, gmtPayment: at(30) }),
    notification({ tradeNo: 'CYCLE-B', buyerId: m[8]!.walletUserId, sellerId: m[7]!.walletUserId, gmtPayment: at(35) }),
  ];
}

async function signals(db: TestDatabase): Promise<{ payments: Record<string, string[]>; counters: Record<number, Record<string, number>> }> {
  const { rows } = await db.pool.query<{ trade_no: string; signals: string[] }>('SELECT trade_no, signals FROM payments ORDER BY trade_no');
  const { rows: counters } = await db.pool.query<{ merchant_id: number; farming_signals: Record<string, number> }>(
    "SELECT merchant_id, farming_signals FROM merchant_accrual WHERE farming_signals <> '{}' ORDER BY merchant_id",
  );
  return {
    payments: Object.fromEntries(rows.map((r) => [r.trade_no, r.signals.filter((s) => s === 'payer_fan_out' || s === 'merchant_cycle')])),
    counters: Object.fromEntries(counters.map((c) => [c.merchant_id, c.farming_signals])),
  };
}

before(async () => {
  timeOrder = await createTestDatabase();
  reverseOrder = await createTestDatabase();
  merchants = await enrolMerchants(timeOrder.pool, 9);
  assert.deepEqual(await enrolMerchants(reverseOrder.pool, 9), merchants, 'the same merchants in both');
  await ingestPayments(timeOrder.pool, theDay(merchants));
  for (const n of theDay(merchants).reverse()) await ingestPayments(reverseOrder.pool, [n]);
});
after(async () => {
  await timeOrder.close();
  await reverseOrder.close();
});

test('the arrival order changes the signals decided at ingestion; settling the day decides them on the payments own order', async () => {
  assert.notDeepEqual((await signals(reverseOrder)).payments, (await signals(timeOrder)).payments, 'provisional signals follow the arrival order');
  assert.ok((await settleDaySignals(reverseOrder.pool, DAY)) > 0, 'the reversed day is corrected');
  assert.equal(await settleDaySignals(timeOrder.pool, DAY), 0, 'a day that arrived in time order was already right');
  const settled = await signals(reverseOrder);
  assert.deepEqual(settled, await signals(timeOrder));
  assert.deepEqual(settled.payments, {
    'CYCLE-A': [],
    'CYCLE-B': ['merchant_cycle'],
    'FAN-0': [],
    'FAN-1': [],
    'FAN-2': [],
    'FAN-3': [],
    'FAN-4': [],
    'FAN-5': ['payer_fan_out'],
    'FAN-6': ['payer_fan_out'],
  });
  assert.deepEqual(settled.counters[merchants[5]!.id], { payer_fan_out: 1 }, 'the counters follow the payments');
  assert.equal(settled.counters[merchants[0]!.id], undefined, 'a flag taken back is counted back');
  assert.equal(await settleDaySignals(reverseOrder.pool, DAY), 0, 'settling again changes nothing');
});
