/**
 * What the pure accrual rules say a stream of notifications must leave in the ledger, and the check
 * that the database holds exactly that: every notification had one effect, none was lost or doubled,
 * whatever crashed or ran twice on the way.
 */
import assert from 'node:assert/strict';
import type pg from 'pg';
import { decide, type MerchantAccrualContext, type TradeState } from '../../src/payments/accrual.ts';
import { parseNotification, type PaymentNotification } from '../../src/payments/notification.ts';
import { CLASSIC_2019 } from '../../src/points/accrual-rules.ts';
import { generatePaymentDay, type DayOptions } from '../../sim/payments.ts';

// the database's first ruleset is classic-2019, version 1
const RULESET_ID = 1;

export class AccrualModel {
  private readonly contexts = new Map<string, MerchantAccrualContext>();
  private readonly trades = new Map<string, TradeState>();
  private readonly pending = new Map<string, number>();

  constructor(private readonly enrolled: ReadonlySet<string>) {}

  /** The merchants the model speaks for; the database may hold others. */
  get wallets(): string[] {
    return [...this.enrolled];
  }

  /** Applies notifications in order; returns the trades that earned credit among them. */
  apply(notifications: readonly PaymentNotification[]): string[] {
    const earned: string[] = [];
    for (const n of notifications) {
      // payees not enrolled earn nothing, and the model's payers are never merchants
      if (!this.enrolled.has(n.sellerId)) continue;
      const ctx = this.contexts.get(n.sellerId) ?? { merchantId: 0, walletUserId: n.sellerId, welcomed: false, dayPayers: new Map() };
      this.contexts.set(n.sellerId, ctx);
      const d = decide(this.trades.get(n.tradeNo) ?? null, n, ctx, CLASSIC_2019, RULESET_ID, { payerMerchantId: null, reversePayment: false, payerMerchantsToday: 0 });
      this.trades.set(n.tradeNo, d.next);
      let delta = 0;
      for (const e of d.effects) {
        if (e.kind === 'earn') delta += e.amountFen;
        else delta -= e.amountFen;
      }
      if (d.effects.some((e) => e.kind === 'earn')) earned.push(n.tradeNo);
      if (delta) this.pending.set(n.sellerId, (this.pending.get(n.sellerId) ?? 0) + delta);
    }
    return earned;
  }

  /** Pending credit by merchant wallet (no collection, no lapse in between). */
  get pendingByWallet(): ReadonlyMap<string, number> {
    return this.pending;
  }

  /** Credit earned by each trade that earned any (payer and welcome credit). */
  earnedByTrade(): Map<string, { creditFen: number; welcomeFen: number; clawedBackFen: number }> {
    const out = new Map<string, { creditFen: number; welcomeFen: number; clawedBackFen: number }>();
    for (const t of this.trades.values()) {
      if (t.creditFen + t.welcomeFen > 0) out.set(t.tradeNo, { creditFen: t.creditFen, welcomeFen: t.welcomeFen, clawedBackFen: t.clawedBackFen });
    }
    return out;
  }

  totalEarnedFen(): number {
    let total = 0;
    for (const t of this.trades.values()) total += t.creditFen + t.welcomeFen;
    return total;
  }
}

export function parseAll(fields: readonly Record<string, string>[], receivedAt: Date): PaymentNotification[] {
  return fields.map((f) => {
    const p = parseNotification(f, receivedAt);
    if (!p.ok) throw new Error(`a generated notification was refused (${p.code}): ${p.message}`);
    return p.notification;
  });
}

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

function shanghaiText(at: Date): string {
  return new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * A simulated day (skewed payers, regulars, tiny payments, refunds, retried deliveries) squeezed into
 * the `spanMs` before `end`: recent enough to be accepted and still inside the collection window,
 * whatever today's date, so no sweep lapses it while a test runs.
 */
export function recentPayments(options: Omit<DayOptions, 'day'> & { end: Date; spanMs: number }): Record<string, string>[] {
  const start = options.end.getTime() - options.spanMs;
  const squeeze = (text: string): string => {
    const [h, m, s] = text.slice(11).split(':').map(Number) as [number, number, number];
    return shanghaiText(new Date(start + ((h * 3600 + m * 60 + s) / 86_400) * options.spanMs));
  };
  return generatePaymentDay({ ...options, day: '2026-01-01' }).map((f) => {
    const out: Record<string, string> = { ...f };
    for (const key of ['gmt_payment', 'notify_time', 'gmt_refund'] as const) if (f[key]) out[key] = squeeze(f[key]);
    return out;
  });
}

/**
 * The database against the model, for the model's merchants: each one's pending credit and the number of trades that
 * earned, and (`perTrade`, when notifications arrived in the model's order) each earning trade's
 * credit, welcome credit and clawback as the rules decided them, its ledger transfers summing to
 * exactly that. A doubled effect shows twice, a lost one not at all. Consumers running side by side
 * may apply a merchant's payers in another order: which payers were the day's first ten then differs,
 * but not how many, nor any merchant's total (given payments of at least 10 fen and no refunds).
 */
export async function assertLedgerMatchesModel(pool: pg.Pool, model: AccrualModel, options: { perTrade: boolean } = { perTrade: true }): Promise<void> {
  const expected = model.earnedByTrade();
  const { rows } = await pool.query<{ trade_no: string; credit_fen: number; welcome_fen: number; clawed_back_fen: number; transferred: number }>(
    `WITH earned AS (SELECT reference, sum(amount_fen) AS fen FROM ledger_transfers WHERE code IN ('accrual', 'welcome') GROUP BY reference)
     SELECT p.trade_no, p.credit_fen, p.welcome_fen, p.clawed_back_fen, coalesce(e.fen, 0)::int AS transferred
       FROM payments p LEFT JOIN earned e ON e.reference = p.trade_no
      WHERE p.credit_fen + p.welcome_fen > 0 AND p.seller_id = ANY($1::text[])`,
    [model.wallets],
  );
  assert.equal(rows.length, expected.size, 'as many trades earned as the rules say');
  const overpaid = rows.filter((r) => r.transferred !== r.credit_fen + r.welcome_fen);
  assert.deepEqual(overpaid.slice(0, 5), [], `${overpaid.length} trades whose transfers are not their credit`);
  if (options.perTrade) {
    const wrong = rows.filter((a) => {
      const e = expected.get(a.trade_no);
      return !e || a.credit_fen !== e.creditFen || a.welcome_fen !== e.welcomeFen || a.clawed_back_fen !== e.clawedBackFen;
    });
    assert.deepEqual(wrong.slice(0, 5).map((a) => ({ actual: a, rules: expected.get(a.trade_no) ?? null })), [], `${wrong.length} trades with another effect than the rules give`);
  }

  const { rows: balances } = await pool.query<{ wallet_user_id: string; pending: number }>(
    `SELECT m.wallet_user_id, a.credits_posted - a.debits_posted + a.credits_pending AS pending
       FROM merchants m JOIN ledger_accounts a ON a.merchant_id = m.merchant_id AND a.kind = 'merchant_pending'
      WHERE m.wallet_user_id = ANY($1::text[])`,
    [model.wallets],
  );
  const off = balances.filter((b) => b.pending !== (model.pendingByWallet.get(b.wallet_user_id) ?? 0));
  assert.deepEqual(off.slice(0, 5).map((b) => ({ ...b, rules: model.pendingByWallet.get(b.wallet_user_id) ?? 0 })), [], `${off.length} merchants' pending credit differs from the rules`);
}
