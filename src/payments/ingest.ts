/**
 * Applies payment notifications in batches: one transaction per batch decides every notification
 * with the pure rules (accrual.ts), then writes the payments, the day's payer slots, the credit
 * lots and the ledger transfers together. Webhook, batch API and JetStream consumer all come here.
 */
import type pg from 'pg';
import { intArray, textArray } from '../db/arrays.ts';
import { applyTransfers, inLedgerTransaction, MAX_BATCH_TRANSFERS, merchantAccountsOf, programmeAccountIds, type TransferInput } from '../ledger/index.ts';
import { clawBack, collectCredits, lockMerchants, lotIdFor } from '../points/store.ts';
import { decide, type AccrualOutcome, type MerchantAccrualContext, type PaymentSignal, type TradeState } from './accrual.ts';
import { businessDay } from './business-day.ts';
import type { PaymentNotification } from './notification.ts';
import { loadRulesets } from './rulesets.ts';
import { rulesetAt } from './rules.ts';

export const MAX_INGEST_BATCH = 10_000;

export interface IngestResult {
  tradeNo: string;
  /** applied: state changed; duplicate: a repeat with no effect; unmatched: payee not enrolled. */
  status: 'applied' | 'duplicate' | 'unmatched';
  outcome: AccrualOutcome | null;
  creditFen: number;
  welcomeFen: number;
  clawedBackFen: number;
  signals: PaymentSignal[];
}

interface PaymentRow {
  trade_no: string;
  merchant_id: number | null;
  seller_id: string;
  buyer_id: string;
  out_trade_no: string | null;
  total_fen: number;
  refunded_fen: number;
  status: TradeState['status'];
  paid_at: Date | null;
  business_day: string | null;
  ruleset_id: number | null;
  outcome: AccrualOutcome | null;
  credit_fen: number;
  welcome_fen: number;
  clawed_back_fen: number;
  signals: PaymentSignal[];
  notify_id: string | null;
}

function tradeFromRow(r: PaymentRow): TradeState {
  return {
    tradeNo: r.trade_no,
    merchantId: r.merchant_id,
    sellerId: r.seller_id,
    buyerId: r.buyer_id,
    outTradeNo: r.out_trade_no,
    totalFen: r.total_fen,
    refundedFen: r.refunded_fen,
    status: r.status,
    paidAt: r.paid_at,
    businessDay: r.business_day,
    rulesetId: r.ruleset_id,
    outcome: r.outcome,
    creditFen: r.credit_fen,
    welcomeFen: r.welcome_fen,
    clawedBackFen: r.clawed_back_fen,
    signals: r.signals,
    notifyId: r.notify_id,
  };
}

const HOUR_MS = 3_600_000;

export async function ingestPayments(pool: pg.Pool, notifications: readonly PaymentNotification[]): Promise<IngestResult[]> {
  if (notifications.length > MAX_INGEST_BATCH) throw new RangeError(`at most ${MAX_INGEST_BATCH} notifications a batch, got ${notifications.length}`);
  if (notifications.length === 0) return [];
  const versions = await loadRulesets(pool);
  return inLedgerTransaction(pool, async (client, lock) => {
    const wallets = [...new Set(notifications.flatMap((n) => [n.sellerId, n.buyerId]))];
    const { rows: enrolled } = await client.query<{ merchant_id: number; wallet_user_id: string }>(
      'SELECT merchant_id, wallet_user_id FROM merchants WHERE wallet_user_id = ANY($1::text[])',
      [textArray(wallets)],
    );
    const merchantByWallet = new Map(enrolled.map((m) => [m.wallet_user_id, m.merchant_id]));
    const sellerMerchants = [...new Set(notifications.map((n) => merchantByWallet.get(n.sellerId)).filter((m): m is number => m !== undefined))];
    const accrualState = await lockMerchants(client, sellerMerchants);

    const { rows: priorRows } = await client.query<PaymentRow>(
      `SELECT trade_no, merchant_id, seller_id, buyer_id, out_trade_no, total_fen, refunded_fen, status, paid_at, business_day::text,
              ruleset_id, outcome, credit_fen, welcome_fen, clawed_back_fen, signals, notify_id
         FROM payments WHERE trade_no = ANY($1::text[]) ORDER BY trade_no FOR UPDATE`,
      [textArray([...new Set(notifications.map((n) => n.tradeNo))])],
    );
    const trades = new Map(priorRows.map((r) => [r.trade_no, tradeFromRow(r)]));

    // payer slots of every merchant (seller, or payer that is a merchant) on every day in the batch
    const days = [...new Set(notifications.flatMap((n) => (n.gmtPayment ? [businessDay(n.gmtPayment)] : [])))];
    const dayMerchants = [...new Set([...sellerMerchants, ...notifications.map((n) => merchantByWallet.get(n.buyerId)).filter((m): m is number => m !== undefined)])];
    const { rows: dayRows } = days.length && dayMerchants.length
      ? await client.query<{ merchant_id: number; business_day: string; payer_ids: string[] }>(
          'SELECT merchant_id, business_day::text, payer_ids FROM merchant_days WHERE merchant_id = ANY($1::bigint[]) AND business_day = ANY($2::date[])',
          [intArray(dayMerchants), textArray(days)],
        )
      : { rows: [] };
    const { rows: payerRows } = days.length
      ? await client.query<{ buyer_id: string; business_day: string; merchant_ids: number[] }>(
          'SELECT buyer_id, business_day::text, merchant_ids FROM payer_days WHERE buyer_id = ANY($1::text[]) AND business_day = ANY($2::date[])',
          [textArray([...new Set(notifications.map((n) => n.buyerId))]), textArray(days)],
        )
      : { rows: [] };
    const payerMerchants = new Map(payerRows.map((r) => [`${r.buyer_id}|${r.business_day}`, r.merchant_ids]));

    const contexts = new Map<number, MerchantAccrualContext>();
    const walletOf = new Map(enrolled.map((m) => [m.merchant_id, m.wallet_user_id]));
    for (const id of dayMerchants) {
      contexts.set(id, { merchantId: id, walletUserId: walletOf.get(id)!, welcomed: accrualState.get(id)?.welcomedTradeNo != null, dayPayers: new Map() });
    }
    for (const r of dayRows) contexts.get(r.merchant_id)?.dayPayers.set(r.business_day, r.payer_ids);

    const results: IngestResult[] = [];
    const changed = new Map<string, TradeState>();
    const changedDays = new Set<string>();
    const changedPayerDays = new Set<string>();
    const welcomed: { merchantId: number; tradeNo: string }[] = [];
    const earns: { trade: TradeState; lot: 'payer' | 'welcome'; amountFen: number }[] = [];
    const clawbacks: { trade: TradeState; owedFen: number }[] = [];
    const signalCounts = new Map<number, Record<string, number>>();

    for (const original of notifications) {
      let n = original;
      // a known trade keeps the payee it was first stored with (a payee enrolled since, or a
      // notification naming another seller, must not move it to a merchant this batch did not lock)
      const known = trades.get(n.tradeNo);
      const merchantId = known ? known.merchantId : (merchantByWallet.get(n.sellerId) ?? null);
      if (known && known.sellerId !== n.sellerId) n = { ...n, sellerId: known.sellerId };
      const ctx = merchantId === null ? null : (contexts.get(merchantId) ?? null);
      const at = n.gmtPayment ?? trades.get(n.tradeNo)?.paidAt ?? new Date();
      // a payment dated before the first ruleset is judged by the first one, not refused with its batch
      const ruleset = rulesetAt(versions, at.getTime() < versions[0]!.effectiveFrom.getTime() ? versions[0]!.effectiveFrom : at);
      const day = businessDay(at);
      const payerMerchantId = merchantByWallet.get(n.buyerId) ?? null;
      const payerCtx = payerMerchantId === null ? undefined : contexts.get(payerMerchantId);
      const todays = payerMerchants.get(`${n.buyerId}|${day}`) ?? [];
      const prior = trades.get(n.tradeNo) ?? null;
      const wasWelcomed = ctx?.welcomed ?? false;
      const decision = decide(prior, n, ctx, ruleset.rules, ruleset.id, {
        payerMerchantId,
        reversePayment: payerCtx?.dayPayers.get(day)?.includes(n.sellerId) ?? false,
        payerMerchantsToday: todays.filter((m) => m !== merchantId).length,
      });
      const next = decision.next;
      trades.set(n.tradeNo, next);
      if (!decision.unchanged) changed.set(n.tradeNo, next);
      for (const e of decision.effects) {
        if (e.kind === 'earn') earns.push({ trade: next, lot: e.lot, amountFen: e.amountFen });
        else clawbacks.push({ trade: next, owedFen: e.amountFen });
      }
      const decidedNow = prior?.outcome == null && next.outcome !== null;
      if (decidedNow && ctx) {
        if (next.outcome === 'credited' || next.outcome === 'small_payment') {
          changedDays.add(`${ctx.merchantId}|${next.businessDay}`);
          if (!todays.includes(ctx.merchantId)) payerMerchants.set(`${n.buyerId}|${next.businessDay}`, [...todays, ctx.merchantId]);
          changedPayerDays.add(`${n.buyerId}|${next.businessDay}`);
        }
        if (!wasWelcomed && ctx.welcomed) welcomed.push({ merchantId: ctx.merchantId, tradeNo: n.tradeNo });
        if (next.signals.length) {
          const counts = signalCounts.get(ctx.merchantId) ?? {};
          for (const s of next.signals) counts[s] = (counts[s] ?? 0) + 1;
          signalCounts.set(ctx.merchantId, counts);
        }
      }
      results.push({
        tradeNo: n.tradeNo,
        status: merchantId === null ? 'unmatched' : decision.unchanged ? 'duplicate' : 'applied',
        outcome: next.outcome,
        creditFen: next.creditFen,
        welcomeFen: next.welcomeFen,
        clawedBackFen: next.clawedBackFen,
        signals: next.signals,
      });
    }

    await writePayments(client, [...changed.values()]);
    await writeDays(client, changedDays, contexts);
    await writePayerDays(client, changedPayerDays, payerMerchants);
    await writeMerchantState(client, welcomed, signalCounts);

    if (earns.length) {
      const programme = await programmeAccountIds(client);
      const accounts = await merchantAccountsOf(client, earns.map((e) => e.trade.merchantId!));
      const transfers: TransferInput[] = earns.map((e) => ({
        id: lotIdFor(e.trade.tradeNo, e.lot),
        debitAccountId: programme.programme_funding,
        creditAccountId: accounts.get(e.trade.merchantId!)!.merchant_pending.id,
        amountFen: e.amountFen,
        code: e.lot === 'welcome' ? 'welcome' : 'accrual',
        reference: e.trade.tradeNo,
      }));
      for (let i = 0; i < transfers.length; i += MAX_BATCH_TRANSFERS) {
        const posted = await applyTransfers(client, pool, transfers.slice(i, i + MAX_BATCH_TRANSFERS), { lock });
        const failed = posted.find((r) => r.status === 'failed');
        if (failed) throw new Error(`accrual transfer ${failed.id} refused: ${failed.status === 'failed' ? failed.error : ''}`);
      }
      await client.query(
        `INSERT INTO credit_lots (lot_id, merchant_id, trade_no, kind, amount_fen, state, earned_at, collect_by, remaining_fen)
         SELECT id, merchant, trade, kind, amount, 'pending', earned, earned + make_interval(hours => hours), amount
           FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::timestamptz[], $7::int[]) AS v(id, merchant, trade, kind, amount, earned, hours)`,
        [
          textArray(transfers.map((t) => t.id)),
          intArray(earns.map((e) => e.trade.merchantId)),
          textArray(earns.map((e) => e.trade.tradeNo)),
          textArray(earns.map((e) => e.lot)),
          intArray(earns.map((e) => e.amountFen)),
          earns.map((e) => e.trade.paidAt!.toISOString()),
          intArray(earns.map((e) => Math.max(1, rulesetOf(versions, e.trade).collectWindowHours))),
        ],
      );
      // a ruleset without a collection window credits at once
      const instant = [...new Set(earns.filter((e) => rulesetOf(versions, e.trade).collectWindowHours === 0).map((e) => e.trade))];
      for (const trade of instant) await collectCredits(client, pool, trade.merchantId!, rulesetOf(versions, trade), new Date(trade.paidAt!.getTime() + HOUR_MS / 2));
    }
    for (const c of clawbacks) await clawBack(client, pool, c.trade.merchantId!, c.trade.tradeNo, c.owedFen, c.trade.clawedBackFen);
    return results;
  });
}

function rulesetOf(versions: Awaited<ReturnType<typeof loadRulesets>>, trade: TradeState) {
  return (versions.find((v) => v.id === trade.rulesetId) ?? versions[0]!).rules;
}

// Every upsert below writes its rows in key order, so that concurrent batches touching the same rows
// (a payer paying two merchants, the same trade delivered twice) take row locks in the same order
// and cannot deadlock.
async function writePayments(client: pg.PoolClient, unsorted: TradeState[]): Promise<void> {
  if (unsorted.length === 0) return;
  const trades = [...unsorted].sort((a, b) => (a.tradeNo < b.tradeNo ? -1 : a.tradeNo > b.tradeNo ? 1 : 0));
  const col = <T>(f: (t: TradeState) => T) => trades.map(f);
  await client.query(
    `INSERT INTO payments (trade_no, merchant_id, seller_id, buyer_id, out_trade_no, total_fen, refunded_fen, status, paid_at, business_day,
                           ruleset_id, outcome, credit_fen, welcome_fen, clawed_back_fen, signals, notify_id)
     SELECT v.trade_no, v.merchant_id, v.seller_id, v.buyer_id, v.out_trade_no, v.total_fen, v.refunded_fen, v.status, v.paid_at, v.business_day,
            v.ruleset_id, v.outcome, v.credit_fen, v.welcome_fen, v.clawed_back_fen, string_to_array(v.signals, ','), v.notify_id
       FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::text[], $9::timestamptz[], $10::date[],
                   $11::bigint[], $12::text[], $13::bigint[], $14::bigint[], $15::bigint[], $16::text[], $17::text[])
            AS v(trade_no, merchant_id, seller_id, buyer_id, out_trade_no, total_fen, refunded_fen, status, paid_at, business_day,
                 ruleset_id, outcome, credit_fen, welcome_fen, clawed_back_fen, signals, notify_id)
     ON CONFLICT (trade_no) DO UPDATE SET
       refunded_fen = excluded.refunded_fen, status = excluded.status, paid_at = excluded.paid_at, business_day = excluded.business_day,
       ruleset_id = excluded.ruleset_id, outcome = excluded.outcome, credit_fen = excluded.credit_fen, welcome_fen = excluded.welcome_fen,
       clawed_back_fen = excluded.clawed_back_fen, signals = excluded.signals, notify_id = excluded.notify_id, updated_at = now()`,
    [
      textArray(col((t) => t.tradeNo)),
      intArray(col((t) => t.merchantId)),
      textArray(col((t) => t.sellerId)),
      textArray(col((t) => t.buyerId)),
      textArray(col((t) => t.outTradeNo)),
      intArray(col((t) => t.totalFen)),
      intArray(col((t) => t.refundedFen)),
      textArray(col((t) => t.status)),
      col((t) => t.paidAt?.toISOString() ?? null),
      textArray(col((t) => t.businessDay)),
      intArray(col((t) => t.rulesetId)),
      textArray(col((t) => t.outcome)),
      intArray(col((t) => t.creditFen)),
      intArray(col((t) => t.welcomeFen)),
      intArray(col((t) => t.clawedBackFen)),
      textArray(col((t) => t.signals.join(','))),
      textArray(col((t) => t.notifyId)),
    ],
  );
}

async function writeDays(client: pg.PoolClient, keys: Set<string>, contexts: Map<number, MerchantAccrualContext>): Promise<void> {
  if (keys.size === 0) return;
  const rows = [...keys].sort().map((k) => {
    const [merchant, day] = k.split('|') as [string, string];
    return { merchant: Number(merchant), day, payers: contexts.get(Number(merchant))!.dayPayers.get(day)! };
  });
  await client.query(
    `INSERT INTO merchant_days (merchant_id, business_day, payer_ids)
     SELECT m, d, string_to_array(p, ',') FROM unnest($1::bigint[], $2::date[], $3::text[]) AS v(m, d, p)
     ON CONFLICT (merchant_id, business_day) DO UPDATE SET payer_ids = excluded.payer_ids`,
    [intArray(rows.map((r) => r.merchant)), textArray(rows.map((r) => r.day)), textArray(rows.map((r) => r.payers.join(',')))],
  );
}

async function writePayerDays(client: pg.PoolClient, keys: Set<string>, payerMerchants: Map<string, number[]>): Promise<void> {
  if (keys.size === 0) return;
  const rows = [...keys].sort().map((k) => {
    const [buyer, day] = k.split('|') as [string, string];
    return { buyer, day, merchants: payerMerchants.get(k)! };
  });
  await client.query(
    `INSERT INTO payer_days (buyer_id, business_day, merchant_ids)
     SELECT b, d, string_to_array(m, ',')::bigint[] FROM unnest($1::text[], $2::date[], $3::text[]) AS v(b, d, m)
     ON CONFLICT (buyer_id, business_day) DO UPDATE
       SET merchant_ids = (SELECT array_agg(DISTINCT x ORDER BY x) FROM unnest(payer_days.merchant_ids || excluded.merchant_ids) AS x)`,
    [textArray(rows.map((r) => r.buyer)), textArray(rows.map((r) => r.day)), textArray(rows.map((r) => r.merchants.join(',')))],
  );
}

async function writeMerchantState(client: pg.PoolClient, welcomed: { merchantId: number; tradeNo: string }[], signalCounts: Map<number, Record<string, number>>): Promise<void> {
  welcomed.sort((a, b) => a.merchantId - b.merchantId);
  if (welcomed.length) {
    await client.query(
      'UPDATE merchant_accrual a SET welcomed_trade_no = v.t FROM unnest($1::bigint[], $2::text[]) AS v(m, t) WHERE a.merchant_id = v.m AND a.welcomed_trade_no IS NULL',
      [intArray(welcomed.map((w) => w.merchantId)), textArray(welcomed.map((w) => w.tradeNo))],
    );
  }
  if (signalCounts.size) {
    const ids = [...signalCounts.keys()].sort((a, b) => a - b);
    // counters add up: farming_signals = {"odd_hour": 3, ...}
    await client.query(
      `UPDATE merchant_accrual a SET farming_signals = (
          SELECT coalesce(jsonb_object_agg(k, coalesce((a.farming_signals ->> k)::int, 0) + coalesce((v.c ->> k)::int, 0)), '{}')
            FROM (SELECT jsonb_object_keys(a.farming_signals || v.c) AS k) keys)
         FROM unnest($1::bigint[], $2::jsonb[]) AS v(m, c) WHERE a.merchant_id = v.m`,
      [intArray(ids), ids.map((id) => JSON.stringify(signalCounts.get(id)))],
    );
  }
}
