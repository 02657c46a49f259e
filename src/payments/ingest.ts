/**
 * Applies payment notifications in batches, shaped like the ledger: one transaction per batch locks
 * the merchants, loads a snapshot of what the batch touches, lets the pure planIngest (plan.ts)
 * decide every notification, then writes the payments, the day's payer slots, the credit lots and
 * the ledger transfers in batched statements. Webhook, batch API and JetStream consumer all come here.
 */
import type pg from 'pg';
import { intArray, textArray } from '../db/arrays.ts';
import { DATES_AS_TEXT } from '../db/database.ts';
import { merchantAccountsOf, programmeAccountsOf, type TransferInput } from '../ledger/index.ts';
import { changeCredit, collectCredits, insertEarnedLots, lotIdFor, planTradeClawbacks, postCredit, updateLots } from '../points/index.ts';
import type { AccrualOutcome, MerchantAccrualContext, PaymentSignal, TradeState } from './accrual.ts';
import { businessDay } from '../shared/business-day.ts';
import { ensureHistoryDays, historyRetainedFrom } from '../db/history.ts';
import type { PaymentNotification } from './notification.ts';
import { planIngest, type Earn, type IngestResult } from './plan.ts';
import { loadRulesets } from '../points/rulesets.ts';
import type { RulesetVersion } from '../points/accrual-rules.ts';
import { budgetPeriodOf, lockBudgetRooms, recordBudgetGrants } from '../budgets/index.ts';
import { merchantCities } from '../merchants/index.ts';

export type { IngestResult } from './plan.ts';
export const MAX_INGEST_BATCH = 10_000;

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
  history_day: string;
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

export async function ingestPayments(pool: pg.Pool, notifications: readonly PaymentNotification[]): Promise<IngestResult[]> {
  if (notifications.length > MAX_INGEST_BATCH) throw new RangeError(`at most ${MAX_INGEST_BATCH} notifications a batch, got ${notifications.length}`);
  if (notifications.length === 0) return [];
  const versions = await loadRulesets(pool);
  const now = new Date();
  // the partitions of every kept day a trade of the batch may be stored under (its payment's, or today's)
  const retainedFrom = await historyRetainedFrom(pool);
  const paidDays = notifications.flatMap((n) => (n.gmtPayment ? [businessDay(n.gmtPayment)] : []));
  await ensureHistoryDays(pool, [businessDay(now), ...paidDays].filter((day) => day >= retainedFrom));
  return changeCredit(pool, async (change) => {
    const { client } = change;
    const wallets = [...new Set(notifications.flatMap((n) => [n.sellerId, n.buyerId]))];
    const { rows: enrolled } = await client.query<{ merchant_id: number; wallet_user_id: string }>(
      'SELECT merchant_id, wallet_user_id FROM merchant_wallets WHERE wallet_user_id = ANY($1::text[])',
      [textArray(wallets)],
    );
    const merchantByWallet = new Map(enrolled.map((m) => [m.wallet_user_id, m.merchant_id]));
    const sellerMerchants = [...new Set(notifications.map((n) => merchantByWallet.get(n.sellerId)).filter((m): m is number => m !== undefined))];
    const accrualState = await change.lock(sellerMerchants);

    const prior = await priorTrades(client, notifications);
    const trades = new Map(prior.map((r) => [r.trade_no, tradeFromRow(r)]));
    const storedDays = new Map(prior.map((r) => [r.trade_no, r.history_day]));

    // payer slots of every merchant (seller, or payer that is a merchant) on every day in the batch
    const days = [...new Set(paidDays)];
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

    // the budgets of the sellers' cities in the months of the batch's payments (and of today's, for a
    // trade paid earlier whose success arrives now), locked after the merchants
    const cityOf = await merchantCities(client, sellerMerchants);
    const periods = [...new Set([businessDay(now), ...paidDays].map(budgetPeriodOf))];
    const budgets = await lockBudgetRooms(client, [...new Set(cityOf.values())].flatMap((city) => periods.map((period) => ({ city, period }))));

    // read again in the transaction: a retention round may have moved it since the partitions were made
    const plan = planIngest(notifications, { versions, merchantByWallet, trades, contexts, payerMerchants, cityOf, budgets, now, retainedFrom: await historyRetainedFrom(client) });
    await recordBudgetGrants(client, budgets, now);
    const { earns, clawbacks } = plan;

    // a trade is kept under the day it was first stored with: its payment's, or the batch's when unpaid
    await writePayments(client, plan.changedTrades, (t) => storedDays.get(t.tradeNo) ?? businessDay(t.paidAt ?? now));
    await writeDays(client, plan.changedDays, contexts);
    await writePayerDays(client, plan.changedPayerDays, payerMerchants);
    await writeMerchantState(client, plan.welcomed, plan.signalCounts);

    // the lots first, the transfers last: claw-backs plan against the batch's own new lots, and the
    // hot programme account is locked only by the one posting at the end
    const earnTransfers = earns.length ? await earnTransfersOf(client, earns) : [];
    await insertEarnedLots(
      client,
      earns.map((e, i) => ({
        lotId: earnTransfers[i]!.id,
        merchantId: e.trade.merchantId!,
        tradeNo: e.trade.tradeNo,
        kind: e.lot,
        amountFen: e.amountFen,
        earnedAt: paidTrade(e.trade).paidAt,
        visibleAt: e.visibleAt,
        collectWindowHours: rulesetOf(versions, e.trade).collectWindowHours,
      })),
    );
    const clawback = await planTradeClawbacks(
      client,
      clawbacks.map((c) => ({ merchantId: c.trade.merchantId!, ...paidTrade(c.trade), owedFen: c.owedFen, clawedBackTotalFen: c.trade.clawedBackFen })),
    );
    await postCredit(change, [...earnTransfers, ...clawback.transfers], { lock: change.locked });
    await updateLots(client, clawback.lotUpdates);
    // a ruleset without a collection window credits at once: exactly the lots it just earned
    const instant = new Map<TradeState, typeof earns>();
    for (const e of earns) if (rulesetOf(versions, e.trade).collectWindowHours === 0) instant.set(e.trade, [...(instant.get(e.trade) ?? []), e]);
    for (const [trade, lots] of instant) {
      await collectCredits(change, trade.merchantId!, rulesetOf(versions, trade), lots[0]!.visibleAt, lots.map((e) => lotIdFor(paidTrade(trade), e.lot)));
    }
    return plan.results;
  });
}

/** A trade that earned credit was paid: its payment time leads the ids of its lots and claw-backs. */
function paidTrade(trade: TradeState): { tradeNo: string; paidAt: Date } {
  if (!trade.paidAt) throw new Error(`trade ${trade.tradeNo} earned credit but has no payment time`);
  return { tradeNo: trade.tradeNo, paidAt: trade.paidAt };
}

async function earnTransfersOf(client: pg.PoolClient, earns: readonly Earn[]): Promise<TransferInput[]> {
  const accounts = await merchantAccountsOf(client, earns.map((e) => e.trade.merchantId!));
  return earns.map((e) => ({
    id: lotIdFor(paidTrade(e.trade), e.lot),
    debitAccountId: programmeAccountsOf(e.trade.merchantId!).programme_funding,
    creditAccountId: accounts.get(e.trade.merchantId!)!.merchant_pending.id,
    amountFen: e.amountFen,
    code: e.lot === 'welcome' ? 'welcome' : 'accrual',
    reference: e.trade.tradeNo,
  }));
}

function rulesetOf(versions: readonly RulesetVersion[], trade: TradeState) {
  return (versions.find((v) => v.id === trade.rulesetId) ?? versions[0]!).rules;
}

const PAYMENT_FIELDS = ['trade_no', 'merchant_id', 'seller_id', 'buyer_id', 'out_trade_no', 'total_fen', 'refunded_fen', 'status', 'paid_at', 'business_day', 'ruleset_id', 'outcome', 'credit_fen', 'welcome_fen', 'clawed_back_fen', 'signals', 'notify_id'];
const RETURNED_PAYMENT_COLUMNS = [...PAYMENT_FIELDS, 'history_day'].join(', ');

/**
 * The stored state of the batch's trades, locked: a merchant's trade found through the trade-number
 * table (its shard key and its day), an unmatched one in its own table. The payments are read naming
 * their days, so that only those days' partitions are planned and probed. Locked by a no-op UPDATE
 * (as a credit change's lock): a trade number belongs to one merchant, so the three lists select exactly the
 * batch's rows, and Citus routes the UPDATE where it refuses a FOR UPDATE across shards.
 */
async function priorTrades(client: pg.PoolClient, notifications: readonly PaymentNotification[]): Promise<PaymentRow[]> {
  const tradeNos = textArray([...new Set(notifications.map((n) => n.tradeNo))]);
  const { rows: keys } = await client.query<{ trade_no: string; merchant_id: number; history_day: string }>(
    'SELECT trade_no, merchant_id, history_day::text FROM trade_numbers WHERE trade_no = ANY($1::text[])',
    [tradeNos],
  );
  const { rows: matched } = keys.length
    ? await client.query<PaymentRow>({
        text: `UPDATE payments p SET notify_id = p.notify_id
                WHERE p.history_day = ANY($3::date[]) AND p.merchant_id = ANY($1::bigint[]) AND p.trade_no = ANY($2::text[])
                RETURNING ${RETURNED_PAYMENT_COLUMNS}`,
        values: [intArray(keys.map((k) => k.merchant_id)), textArray(keys.map((k) => k.trade_no)), textArray([...new Set(keys.map((k) => k.history_day))])],
        types: DATES_AS_TEXT,
      })
    : { rows: [] };
  const { rows: unmatched } = await client.query<PaymentRow>({
    text: `UPDATE unmatched_payments SET notify_id = notify_id WHERE trade_no = ANY($1::text[]) RETURNING ${RETURNED_PAYMENT_COLUMNS}`,
    values: [tradeNos],
    types: DATES_AS_TEXT,
  });
  return [...matched, ...unmatched];
}

// Every upsert below writes its rows in key order (byte order, COLLATE "C", whatever the
// database's collation), so that concurrent batches touching the same rows
// (a payer paying two merchants, the same trade delivered twice) take row locks in the same order
// and cannot deadlock.
async function writePayments(client: pg.PoolClient, unsorted: TradeState[], historyDayOf: (t: TradeState) => string): Promise<void> {
  const trades = [...unsorted].sort((a, b) => (a.tradeNo < b.tradeNo ? -1 : a.tradeNo > b.tradeNo ? 1 : 0));
  const matched = trades.filter((t) => t.merchantId !== null);
  if (matched.length) {
    await client.query('INSERT INTO trade_numbers (trade_no, merchant_id, history_day) SELECT * FROM unnest($1::text[], $2::bigint[], $3::date[]) ON CONFLICT DO NOTHING', [
      textArray(matched.map((t) => t.tradeNo)),
      intArray(matched.map((t) => t.merchantId)),
      textArray(matched.map(historyDayOf)),
    ]);
    await upsertPayments(client, 'payments', '(merchant_id, trade_no, history_day)', matched, historyDayOf);
  }
  const unmatched = trades.filter((t) => t.merchantId === null);
  if (unmatched.length) await upsertPayments(client, 'unmatched_payments', '(trade_no, history_day)', unmatched, historyDayOf);
}

async function upsertPayments(
  client: pg.PoolClient,
  table: 'payments' | 'unmatched_payments',
  key: string,
  trades: TradeState[],
  historyDayOf: (t: TradeState) => string,
): Promise<void> {
  const col = <T>(f: (t: TradeState) => T) => trades.map(f);
  await client.query(
    `INSERT INTO ${table} (trade_no, merchant_id, seller_id, buyer_id, out_trade_no, total_fen, refunded_fen, status, paid_at, business_day,
                           ruleset_id, outcome, credit_fen, welcome_fen, clawed_back_fen, signals, notify_id, history_day)
     SELECT v.trade_no, v.merchant_id, v.seller_id, v.buyer_id, v.out_trade_no, v.total_fen, v.refunded_fen, v.status, v.paid_at, v.business_day,
            v.ruleset_id, v.outcome, v.credit_fen, v.welcome_fen, v.clawed_back_fen, string_to_array(v.signals, ','), v.notify_id, v.history_day
       FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::text[], $9::timestamptz[], $10::date[],
                   $11::bigint[], $12::text[], $13::bigint[], $14::bigint[], $15::bigint[], $16::text[], $17::text[], $18::date[])
            AS v(trade_no, merchant_id, seller_id, buyer_id, out_trade_no, total_fen, refunded_fen, status, paid_at, business_day,
                 ruleset_id, outcome, credit_fen, welcome_fen, clawed_back_fen, signals, notify_id, history_day)
     ON CONFLICT ${key} DO UPDATE SET
       refunded_fen = excluded.refunded_fen, status = excluded.status, paid_at = excluded.paid_at, business_day = excluded.business_day,
       ruleset_id = excluded.ruleset_id, outcome = excluded.outcome, credit_fen = excluded.credit_fen, welcome_fen = excluded.welcome_fen,
       clawed_back_fen = excluded.clawed_back_fen, signals = excluded.signals, notify_id = excluded.notify_id, updated_at = excluded.updated_at`,
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
      textArray(col(historyDayOf)),
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
  await addSignalCounts(client, signalCounts);
}

/** Adds to merchants' signal counters (farming_signals = {"odd_hour": 3, ...}); a negative count takes away, a counter at 0 goes. */
export async function addSignalCounts(client: pg.PoolClient, signalCounts: Map<number, Record<string, number>>): Promise<void> {
  if (signalCounts.size === 0) return;
  const ids = [...signalCounts.keys()].sort((a, b) => a - b);
  await client.query(
    `UPDATE merchant_accrual a SET farming_signals = (
        SELECT coalesce(jsonb_object_agg(k, n) FILTER (WHERE n <> 0), '{}')
          FROM (SELECT k, coalesce((a.farming_signals ->> k)::int, 0) + coalesce((v.c ->> k)::int, 0) AS n
                  FROM jsonb_object_keys(a.farming_signals || v.c) AS k) keys)
       FROM unnest($1::bigint[], $2::jsonb[]) AS v(m, c) WHERE a.merchant_id = v.m`,
    [intArray(ids), ids.map((id) => JSON.stringify(signalCounts.get(id)))],
  );
}
