import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { merchantBalance } from '../../src/ledger/index.ts';
import { decide, type MerchantAccrualContext, type TradeState } from '../../src/payments/accrual.ts';
import { ingestPayments } from '../../src/payments/ingest.ts';
import type { PaymentNotification, TradeStatus } from '../../src/payments/notification.ts';
import { CLASSIC_2019 } from '../../src/payments/rules.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { enrolMerchants, enrolment, type TestMerchant } from '../support/fixtures.ts';
import { assertLedgerInvariants } from '../support/ledger-invariants.ts';
import { notification, payerWallet } from '../support/payments.ts';

let db: TestDatabase;
let merchants: TestMerchant[];
const MERCHANTS_PER_RUN = 3;
const RUNS = 25;
before(async () => {
  db = await createTestDatabase();
  merchants = await enrolMerchants(db.pool, MERCHANTS_PER_RUN * RUNS);
});
after(async () => db.close());

interface Event {
  trade: number;
  merchant: number;
  payer: number;
  amountFen: number;
  minute: number;
  status: TradeStatus;
  refundFen: number | null;
}

const event: fc.Arbitrary<Event> = fc.record({
  trade: fc.integer({ min: 0, max: 90 }),
  merchant: fc.integer({ min: 0, max: MERCHANTS_PER_RUN - 1 }),
  payer: fc.integer({ min: 0, max: 13 }),
  amountFen: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 21, max: 50_000 })),
  minute: fc.integer({ min: 0, max: 30 * 60 }), // two Shanghai business days
  status: fc.constantFrom<TradeStatus>('TRADE_SUCCESS', 'TRADE_SUCCESS', 'TRADE_SUCCESS', 'TRADE_SUCCESS', 'TRADE_FINISHED', 'TRADE_CLOSED', 'WAIT_BUYER_PAY'),
  refundFen: fc.option(fc.integer({ min: 0, max: 50_000 }), { freq: 4 }),
});

const BASE = Date.parse('2026-11-20T00:00:00Z');

/** A trade's identity (payee, payer, amount, time) is fixed by its first event; later events change only status and refunds. */
function notifications(events: Event[], run: number): PaymentNotification[] {
  const identity = new Map<number, Event>();
  return events.map((e) => {
    const id = identity.get(e.trade) ?? e;
    identity.set(e.trade, id);
    const sellerIndex = run * MERCHANTS_PER_RUN + id.merchant;
    return notification({
      tradeNo: `P${run}-${e.trade}`,
      sellerId: enrolment(sellerIndex + 1).walletUserId,
      buyerId: payerWallet(id.payer),
      totalAmountFen: id.amountFen,
      tradeStatus: e.status,
      refundFeeFen: e.refundFen === null ? null : Math.min(e.refundFen, id.amountFen),
      gmtPayment: new Date(BASE + id.minute * 60_000),
    });
  });
}

/** The model: the pure rules over the same sequence, with state in memory. */
function model(stream: PaymentNotification[]): { pendingByWallet: Map<string, number>; trades: Map<string, TradeState> } {
  const contexts = new Map<string, MerchantAccrualContext>();
  const trades = new Map<string, TradeState>();
  const pendingByWallet = new Map<string, number>();
  for (const n of stream) {
    const ctx = contexts.get(n.sellerId) ?? { merchantId: 0, walletUserId: n.sellerId, welcomed: false, dayPayers: new Map() };
    contexts.set(n.sellerId, ctx);
    const d = decide(trades.get(n.tradeNo) ?? null, n, ctx, CLASSIC_2019, 1, { payerMerchantId: null, reversePayment: false, payerMerchantsToday: 0 });
    trades.set(n.tradeNo, d.next);
    const delta = d.effects.reduce((s, e) => s + (e.kind === 'earn' ? e.amountFen : -e.amountFen), 0);
    pendingByWallet.set(n.sellerId, (pendingByWallet.get(n.sellerId) ?? 0) + delta);
  }
  return { pendingByWallet, trades };
}

let run = 0;

test('the ledger equals the pure rules for random streams with retries, reorderings and refunds', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(event, { minLength: 30, maxLength: 150, size: 'large' }), fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 8 }), async (events, cuts) => {
      const r = run++;
      if (r >= RUNS) return; // fast-check may run the property more than numRuns while shrinking
      const stream = notifications(events, r);
      // retries: every notification is delivered once more, later, in another batch
      const deliveries = [...stream, ...stream.filter((_, i) => i % 3 === 0)];
      let offset = 0;
      for (let i = 0; offset < deliveries.length; i++) {
        const size = cuts[i % cuts.length]!;
        await ingestPayments(db.pool, deliveries.slice(offset, offset + size));
        offset += size;
      }
      const expected = model(deliveries);
      for (let k = 0; k < MERCHANTS_PER_RUN; k++) {
        const m = merchants[r * MERCHANTS_PER_RUN + k]!;
        const balance = (await merchantBalance(db.pool, m.id))!;
        assert.equal(balance.pendingFen, expected.pendingByWallet.get(enrolment(r * MERCHANTS_PER_RUN + k + 1).walletUserId) ?? 0, `merchant ${k} pending credit`);
        assert.equal(balance.debtFen, 0);
      }
      const { rows } = await db.pool.query<{ trade_no: string; outcome: string | null; credit_fen: number; welcome_fen: number; clawed_back_fen: number; refunded_fen: number; status: string }>(
        'SELECT trade_no, outcome, credit_fen, welcome_fen, clawed_back_fen, refunded_fen, status FROM payments WHERE trade_no LIKE $1',
        [`P${r}-%`],
      );
      // trades that earned nothing (a counted payer, a full day) are not stored: deciding them again gives the same
      const stored = new Map(rows.map((r) => [r.trade_no, r]));
      for (const [tradeNo, t] of expected.trades) {
        const row = stored.get(tradeNo);
        if (t.creditFen + t.welcomeFen === 0 && t.outcome !== null && t.outcome !== 'refunded_before_success') {
          assert.ok(!row || row.credit_fen + row.welcome_fen === 0, `${tradeNo} earned nothing`);
          continue;
        }
        assert.ok(row, `${tradeNo} is stored`);
        assert.deepEqual(
          [row.outcome, row.credit_fen, row.welcome_fen, row.clawed_back_fen, row.refunded_fen, row.status],
          [t.outcome, t.creditFen, t.welcomeFen, t.clawedBackFen, t.refundedFen, t.status],
          tradeNo,
        );
      }
    }),
    { numRuns: RUNS },
  );
  await assertLedgerInvariants(db.pool);
  const lots = await db.pool.query(`
    SELECT l.merchant_id FROM credit_lots l JOIN ledger_accounts a ON a.merchant_id = l.merchant_id AND a.kind = 'merchant_pending'
     WHERE l.state = 'pending' GROUP BY l.merchant_id, a.credits_posted, a.debits_posted
    HAVING sum(l.remaining_fen) <> a.credits_posted - a.debits_posted`);
  assert.deepEqual(lots.rows, [], 'pending lots add up to the pending balance');
});
