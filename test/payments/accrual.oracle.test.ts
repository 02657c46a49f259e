/**
 * The accrual rules against hand-written expectations (DESIGN.md §1, classic-2019): each row is a
 * stream of notifications for one merchant and what the programme says it earns, worked out by hand,
 * not by the code under test.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decide, type MerchantAccrualContext, type TradeState } from '../../src/payments/accrual.ts';
import type { TradeStatus } from '../../src/payments/notification.ts';
import { CLASSIC_2019 } from '../../src/points/accrual-rules.ts';
import { notification } from '../support/payments.ts';

const MERCHANT = '2088000000000001';
const NO_FACTS = { payerMerchantId: null, reversePayment: false, payerMerchantsToday: 0 };

interface Step {
  trade: string;
  payer: string;
  fen?: number;
  status?: TradeStatus;
  refundFen?: number;
  /** Shanghai wall time, 2026-11-20 unless a date is given */
  at?: string;
}

/** Runs the stream; returns the credit earned minus given back, per step, and the final outcomes. */
function run(steps: Step[]): { net: number[]; outcomes: Record<string, string | null> } {
  const ctx: MerchantAccrualContext = { merchantId: 1, walletUserId: MERCHANT, welcomed: false, dayPayers: new Map() };
  const trades = new Map<string, TradeState>();
  const net: number[] = [];
  for (const s of steps) {
    const at = new Date(`${s.at?.includes('T') ? s.at : `2026-11-20T${s.at ?? '10:00:00'}`}+08:00`);
    const n = notification({ tradeNo: s.trade, sellerId: MERCHANT, buyerId: s.payer, totalAmountFen: s.fen ?? 1_000, tradeStatus: s.status ?? 'TRADE_SUCCESS', refundFeeFen: s.refundFen ?? null, gmtPayment: at });
    const d = decide(trades.get(s.trade) ?? null, n, ctx, CLASSIC_2019, 1, NO_FACTS);
    trades.set(s.trade, d.next);
    net.push(d.effects.reduce((sum, e) => sum + (e.kind === 'earn' ? e.amountFen : -e.amountFen), 0));
  }
  return { net, outcomes: Object.fromEntries([...trades].map(([k, t]) => [k, t.outcome])) };
}

const payers = (n: number) => Array.from({ length: n }, (_, i) => `2088100000000${String(i).padStart(3, '0')}`);

const CASES: { name: string; steps: Step[]; net: number[]; outcomes?: Record<string, string> }[] = [
  { name: 'the first payer earns 2 yuan and the welcome 2 yuan', steps: [{ trade: 'a', payer: 'p1' }], net: [400] },
  { name: 'the same payer twice a day earns once', steps: [{ trade: 'a', payer: 'p1' }, { trade: 'b', payer: 'p1' }], net: [400, 0], outcomes: { b: 'repeat_payer' } },
  { name: 'the same payer the next day earns again', steps: [{ trade: 'a', payer: 'p1' }, { trade: 'b', payer: 'p1', at: '2026-11-21T10:00:00' }], net: [400, 200] },
  {
    name: 'the day counts in Shanghai: 23:59 and 00:01 are two days',
    steps: [{ trade: 'a', payer: 'p1', at: '23:59:00' }, { trade: 'b', payer: 'p1', at: '2026-11-21T00:01:00' }],
    net: [400, 200],
  },
  { name: 'under 0.10 yuan earns 0.01 yuan', steps: [{ trade: 'a', payer: 'p1', fen: 9 }], net: [1 + 200], outcomes: { a: 'small_payment' } },
  { name: 'exactly 0.10 yuan earns the full 2 yuan', steps: [{ trade: 'a', payer: 'p1', fen: 10 }], net: [400] },
  { name: 'the merchant paying itself earns nothing', steps: [{ trade: 'a', payer: MERCHANT }], net: [0], outcomes: { a: 'self_payment' } },
  {
    name: 'ten payers a day earn; the eleventh does not',
    steps: payers(11).map((p, i) => ({ trade: `t${i}`, payer: p })),
    net: [400, 200, 200, 200, 200, 200, 200, 200, 200, 200, 0],
    outcomes: { t10: 'day_full' },
  },
  { name: 'a repeated notification has no second effect', steps: [{ trade: 'a', payer: 'p1' }, { trade: 'a', payer: 'p1' }], net: [400, 0] },
  { name: 'waiting for payment earns nothing until paid', steps: [{ trade: 'a', payer: 'p1', status: 'WAIT_BUYER_PAY' }, { trade: 'a', payer: 'p1' }], net: [0, 400] },
  {
    name: 'a full refund gives back the payer credit and the welcome credit',
    steps: [{ trade: 'a', payer: 'p1' }, { trade: 'a', payer: 'p1', refundFen: 1_000 }],
    net: [400, -400],
  },
  { name: 'a partial refund that leaves 0.10 yuan or more gives nothing back', steps: [{ trade: 'a', payer: 'p1' }, { trade: 'a', payer: 'p1', refundFen: 990 }], net: [400, 0] },
  {
    name: 'a partial refund below 0.10 yuan leaves the small-payment credit and the welcome',
    steps: [{ trade: 'a', payer: 'p1' }, { trade: 'a', payer: 'p1', refundFen: 995 }],
    net: [400, -199],
  },
  {
    name: 'refunded before success is seen: it never earns, even when the success arrives later',
    steps: [{ trade: 'a', payer: 'p1', refundFen: 1_000 }, { trade: 'a', payer: 'p1' }],
    net: [0, 0],
    outcomes: { a: 'refunded_before_success' },
  },
  { name: 'a closed trade seen first never earns', steps: [{ trade: 'a', payer: 'p1', status: 'TRADE_CLOSED' }, { trade: 'a', payer: 'p1' }], net: [0, 0] },
  {
    name: 'a refunded payer still counts for the day: the slot is not given to another',
    steps: [...payers(10).map((p, i) => ({ trade: `t${i}`, payer: p })), { trade: 't0', payer: payers(1)[0]!, refundFen: 1_000 }, { trade: 'late', payer: 'p-new' }],
    net: [400, 200, 200, 200, 200, 200, 200, 200, 200, 200, -400, 0],
    outcomes: { late: 'day_full' },
  },
];

for (const c of CASES) {
  test(`rules: ${c.name}`, () => {
    const { net, outcomes } = run(c.steps);
    assert.deepEqual(net, c.net);
    for (const [trade, outcome] of Object.entries(c.outcomes ?? {})) assert.equal(outcomes[trade], outcome, trade);
  });
}
