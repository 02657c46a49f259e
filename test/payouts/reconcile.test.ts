import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reconcile, type GatewayBillRecord, type PostedPayout } from '../../src/payouts/index.ts';

const payout = (payoutId: string, amountFen: number, state = 'succeeded'): PostedPayout => ({ merchantId: 7, payoutId, amountFen, state });
const record = (outBizNo: string, amountFen: number, transDate: string, status: 'SUCCESS' | 'FAIL' = 'SUCCESS'): GatewayBillRecord => ({ outBizNo, orderId: `o-${outBizNo}`, amountFen, status, transDate });

test('reconciliation: matches, a payout the gateway never made, a different amount, a transfer we never posted', () => {
  const mismatches = reconcile({
    postedOnDay: [payout('P1', 500), payout('P2', 700), payout('P3', 900), payout('P4', 100)],
    namedByBill: [payout('P1', 500), payout('P3', 900), payout('P5', 300, 'unknown')],
    billOfDay: [record('P1', 500, '2026-11-20 10:00:00'), record('P3', 901, '2026-11-20 11:00:00'), record('P5', 300, '2026-11-20 12:00:00'), record('P6', 50, '2026-11-20 13:00:00', 'FAIL')],
    // sent a moment before midnight, posted after it: found in the day before's bill
    billOfDayBefore: [record('P4', 100, '2026-11-19 23:59:59')],
  });
  assert.deepEqual(mismatches, [
    { kind: 'payout_missing_at_gateway', payoutId: 'P2', merchantId: 7, amountFen: 700 },
    { kind: 'amount_differs', payoutId: 'P3', merchantId: 7, oursFen: 900, gatewayFen: 901 },
    { kind: 'gateway_transfer_not_posted', payoutId: 'P5', amountFen: 300, ourState: 'unknown' },
  ]);
});

test('reconciliation: a failed gateway record needs no payout; a stray success with no payout at all is named', () => {
  assert.deepEqual(reconcile({ postedOnDay: [], namedByBill: [], billOfDay: [record('X', 10, '2026-11-20 09:00:00', 'FAIL')], billOfDayBefore: [] }), []);
  assert.deepEqual(reconcile({ postedOnDay: [], namedByBill: [], billOfDay: [record('Y', 10, '2026-11-20 09:00:00')], billOfDayBefore: [] }), [
    { kind: 'gateway_transfer_not_posted', payoutId: 'Y', amountFen: 10, ourState: null },
  ]);
});
