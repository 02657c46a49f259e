import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { merchantBalance, transferIdFor } from '../../src/ledger/index.ts';
import { collectCredits, InsufficientCredit, changeCredit, spendCreditNow } from '../../src/points/index.ts';
import { assertLotsMatchLedger } from '../support/credit-invariants.ts';
import { decide, type MerchantAccrualContext, type TradeState } from '../../src/payments/accrual.ts';
import { ingestPayments } from '../../src/payments/ingest.ts';
import type { PaymentNotification, TradeStatus } from '../../src/payments/notification.ts';
import { CLASSIC_2019 } from '../../src/points/accrual-rules.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { enrolMerchants, enrolment, type TestMerchant } from '../support/fixtures.ts';
import { assertLedgerInvariants } from '../support/ledger-invariants.ts';
import { notification, payerWallet } from '../support/payments.ts';

let db: TestDatabase;
const MERCHANTS_PER_RUN = 3;
const RUNS = 25;
before(async () => {
  db = await createTestDatabase();
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
      gmtPayment: new Date(BASE + id.minute * 60_000 + e.trade * 100), // one order for lots: ties would break by lot id
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
      // every run, shrinking's included, checks its own fresh merchants
      const r = run++;
      const merchants: TestMerchant[] = await enrolMerchants(db.pool, MERCHANTS_PER_RUN, r * MERCHANTS_PER_RUN + 1);
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
        const m = merchants[k]!;
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

// ---- collection, spending and debt, interleaved with the same streams ----

type Action = { kind: 'deliver'; batch: PaymentNotification[] } | { kind: 'collect'; merchant: number } | { kind: 'spend'; merchant: number; amountFen: number };

interface ModelLot {
  trade: string;
  pendingFen: number;
  collected: boolean;
}

/** One merchant's credit by the design's words, written apart from src/points: lots, available, debt. */
class CreditModel {
  readonly lots: ModelLot[] = [];
  /** Per trade: credit its lots lost over the cap, which a later claw-back forgives instead of taking. */
  readonly forgivableFen = new Map<string, number>();
  availableFen = 0;
  debtFen = 0;
  constructor(readonly capFen: number) {}

  earn(trade: string, amountFen: number): void {
    this.lots.push({ trade, pendingFen: amountFen, collected: false });
  }

  /** Lots oldest first (the stream's times are unique per trade): debt first, then up to the cap; the rest is lost. */
  collect(order: (trade: string) => number): void {
    for (const lot of this.lots.filter((l) => !l.collected).sort((a, b) => order(a.trade) - order(b.trade))) {
      const repayFen = Math.min(this.debtFen, lot.pendingFen);
      this.debtFen -= repayFen;
      const grantFen = Math.max(0, Math.min(lot.pendingFen - repayFen, this.capFen - this.availableFen));
      this.availableFen += grantFen;
      const lostFen = lot.pendingFen - repayFen - grantFen;
      this.forgivableFen.set(lot.trade, (this.forgivableFen.get(lot.trade) ?? 0) + lostFen);
      lot.pendingFen = 0;
      lot.collected = true;
    }
  }

  /** A refund takes the trade's credit back: from its uncollected lots, then what it lost is forgiven, then from available, the rest as debt. */
  clawBack(trade: string, owedFen: number): void {
    let owed = owedFen;
    for (const lot of this.lots.filter((l) => l.trade === trade && !l.collected)) {
      const take = Math.min(owed, lot.pendingFen);
      lot.pendingFen -= take;
      owed -= take;
    }
    const forgiven = Math.min(owed, this.forgivableFen.get(trade) ?? 0);
    this.forgivableFen.set(trade, (this.forgivableFen.get(trade) ?? 0) - forgiven);
    owed -= forgiven;
    const fromAvailable = Math.min(owed, this.availableFen);
    this.availableFen -= fromAvailable;
    this.debtFen += owed - fromAvailable;
  }

  get pendingFen(): number {
    return this.lots.reduce((sum, l) => sum + l.pendingFen, 0);
  }
}

const COLLECT_CAP_FEN = 400; // small, so that collection forfeits over the cap and refunds meet lost credit
const COLLECT_AT = new Date(BASE + 31 * 3_600_000); // after every generated payment, inside every lot's 48 hours

test('collect, spend and refunds in any order: pending, available and debt follow the rules, and lots equal the ledger', async () => {
  const actionsOf = (events: Event[], plan: { at: number; what: 'collect' | 'spend'; merchant: number; amountFen: number }[], r: number): Action[] => {
    const stream = notifications(events, r);
    const actions: Action[] = stream.map((n) => ({ kind: 'deliver', batch: [n] }));
    for (const step of [...plan].sort((a, b) => b.at - a.at)) {
      const at = Math.min(step.at, actions.length);
      actions.splice(at, 0, step.what === 'collect' ? { kind: 'collect', merchant: step.merchant } : { kind: 'spend', merchant: step.merchant, amountFen: step.amountFen });
    }
    return actions;
  };
  const step = fc.record({
    at: fc.integer({ min: 0, max: 150 }),
    what: fc.constantFrom<'collect' | 'spend'>('collect', 'spend', 'spend'),
    merchant: fc.integer({ min: 0, max: MERCHANTS_PER_RUN - 1 }),
    amountFen: fc.integer({ min: 1, max: 1_200 }),
  });
  let debtSeen = false;
  let forgivenSeen = false;
  await fc.assert(
    fc.asyncProperty(fc.array(event, { minLength: 30, maxLength: 120, size: 'large' }), fc.array(step, { minLength: 4, maxLength: 20 }), async (events, plan) => {
      const r = run++;
      const merchants = await enrolMerchants(db.pool, MERCHANTS_PER_RUN, r * MERCHANTS_PER_RUN + 1);
      const models = merchants.map(() => new CreditModel(COLLECT_CAP_FEN));
      const byWallet = new Map(merchants.map((m, k) => [enrolment(r * MERCHANTS_PER_RUN + k + 1).walletUserId, k]));
      const trades = new Map<string, TradeState>();
      const contexts = new Map<string, MerchantAccrualContext>();
      const paidAt = new Map<string, number>();
      let spends = 0;
      for (const action of actionsOf(events, plan, r)) {
        if (action.kind === 'deliver') {
          await ingestPayments(db.pool, action.batch);
          for (const n of action.batch) {
            const k = byWallet.get(n.sellerId)!;
            const ctx = contexts.get(n.sellerId) ?? { merchantId: 0, walletUserId: n.sellerId, welcomed: false, dayPayers: new Map() };
            contexts.set(n.sellerId, ctx);
            const d = decide(trades.get(n.tradeNo) ?? null, n, ctx, CLASSIC_2019, 1, { payerMerchantId: null, reversePayment: false, payerMerchantsToday: 0 });
            trades.set(n.tradeNo, d.next);
            if (!paidAt.has(n.tradeNo)) paidAt.set(n.tradeNo, n.gmtPayment!.getTime());
            for (const effect of d.effects) {
              if (effect.kind === 'earn') models[k]!.earn(n.tradeNo, effect.amountFen);
              else {
                const before = models[k]!.forgivableFen.get(n.tradeNo) ?? 0;
                models[k]!.clawBack(n.tradeNo, effect.amountFen);
                if ((models[k]!.forgivableFen.get(n.tradeNo) ?? 0) < before) forgivenSeen = true;
                if (models[k]!.debtFen > 0) {
                  debtSeen = true;
                  assert.equal((await merchantBalance(db.pool, merchants[k]!.id))!.debtFen, models[k]!.debtFen, `merchant ${k}'s debt after refunding ${n.tradeNo}`);
                }
              }
            }
          }
        } else if (action.kind === 'collect') {
          const m = merchants[action.merchant]!;
          await changeCredit(db.pool, async (change) => {
            await change.lock([m.id]);
            await collectCredits(change, m.id, { availableCapFen: COLLECT_CAP_FEN, validityMonths: 6 }, COLLECT_AT);
          });
          models[action.merchant]!.collect((trade) => paidAt.get(trade)!);
        } else {
          const m = merchants[action.merchant]!;
          const model = models[action.merchant]!;
          const spent = await changeCredit(db.pool, async (change) => {
            await change.lock([m.id]);
            await spendCreditNow(change, { merchantId: m.id, transferId: transferIdFor('property-spend', String(r), String(spends++)), amountFen: action.amountFen, reference: 'property' });
            return true;
          }).catch((err: unknown) => {
            if (err instanceof InsufficientCredit) return false;
            throw err;
          });
          assert.equal(spent, action.amountFen <= model.availableFen, `a spend of ${action.amountFen} with ${model.availableFen} available`);
          if (spent) model.availableFen -= action.amountFen;
        }
      }
      for (const [k, m] of merchants.entries()) {
        const balance = (await merchantBalance(db.pool, m.id))!;
        const model = models[k]!;
        assert.deepEqual(
          { pendingFen: balance.pendingFen, availableFen: balance.availableFen, debtFen: balance.debtFen },
          { pendingFen: model.pendingFen, availableFen: model.availableFen, debtFen: model.debtFen },
          `merchant ${k}`,
        );
      }
    }),
    // each run is a round of database work: no shrinking (minutes on a loaded machine); the seed replays a failure
    { numRuns: RUNS, seed: 20261206, endOnFailure: true },
  );
  assert.ok(debtSeen, 'some refund met spent credit and left debt');
  assert.ok(forgivenSeen, 'some refund met credit lost over the cap');
  await assertLedgerInvariants(db.pool);
  await assertLotsMatchLedger(db.pool);
});
