import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PaymentSignal } from '../../src/payments/accrual.ts';
import { settleOrderedSignals, signalCountDeltas, type CreditedPayment } from '../../src/payments/signal-order.ts';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 20, 2, minute));

function paid(tradeNo: string, merchantId: number, buyerId: string, minute: number, signals: PaymentSignal[] = [], sellerId = `S${merchantId}`): CreditedPayment {
  return { merchantId, tradeNo, historyDay: '2026-11-20', buyerId, sellerId, paidAt: at(minute), rulesetId: 1, signals };
}

const limitTwo = () => 2;

test('fan-out counts the merchants paid earlier in time, not in the order given; equal times go by trade number', () => {
  const day = [paid('T9', 3, 'P', 5), paid('T1', 1, 'P', 7, ['payer_fan_out']), paid('T5', 2, 'P', 5)];
  // in time: T5 (merchant 2) and T9 (merchant 3) at minute 5, T5 first by trade number; then T1
  assert.deepEqual(settleOrderedSignals(day, limitTwo, new Map()), []);
  const four = [...day, paid('T0', 4, 'P', 1, ['odd_hour'])];
  assert.deepEqual(
    settleOrderedSignals(four, limitTwo, new Map()).map((c) => [c.tradeNo, c.after]),
    [['T9', ['payer_fan_out']]],
    'T0 comes first now: T5 is second, T9 third (flagged), T1 fourth (already flagged)',
  );
});

test('a cycle is flagged on the later of two merchants paying each other; other signals keep their order', () => {
  const merchantOfWallet = new Map([['W1', 1], ['W2', 2]]);
  const day = [paid('B', 1, 'W2', 9, ['payer_is_merchant', 'merchant_cycle'], 'W1'), paid('A', 2, 'W1', 8, ['near_threshold_amount', 'payer_is_merchant'], 'W2')];
  assert.deepEqual(
    settleOrderedSignals(day, limitTwo, merchantOfWallet).map((c) => [c.tradeNo, c.after]),
    [],
    'B (minute 9) follows A: its cycle stands, A has none',
  );
  const reversed = [paid('B', 1, 'W2', 9, ['payer_is_merchant'], 'W1'), paid('A', 2, 'W1', 8, ['near_threshold_amount', 'payer_is_merchant', 'merchant_cycle'], 'W2')];
  const changes = settleOrderedSignals(reversed, limitTwo, merchantOfWallet);
  assert.deepEqual(changes.map((c) => [c.tradeNo, c.after]), [
    ['A', ['near_threshold_amount', 'payer_is_merchant']],
    ['B', ['payer_is_merchant', 'merchant_cycle']],
  ]);
  assert.deepEqual(signalCountDeltas(changes), new Map([[2, { merchant_cycle: -1 }], [1, { merchant_cycle: 1 }]]));
});
