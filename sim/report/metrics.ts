/**
 * What a simulated world came to, read back from its database: the programme's numbers by simulated
 * day (all deterministic for a seed) and the run's measured performance (wall-clock, not).
 */
import type pg from 'pg';
import { dayOf, type World } from '../world/world.ts';
import { CLAIM_KINDS } from '../world/claims.ts';
import { reminderOutcomes, type ReminderOutcome } from '../../src/notifications/index.ts';
import { auditCounts, auditStatistics, type AuditStatistics } from '../../src/audits/index.ts';
import { claimRatio, expectedCostFen, liabilityRows, outstandingFen } from '../../src/budgets/index.ts';
import { verificationSummary, type VerificationSummary } from '../../src/claims/index.ts';

export interface FraudPaymentRow {
  kind: string;
  actors: number;
  caughtActors: number;
  payments: number;
  flaggedPayments: number;
  creditFen: number;
}

export interface FraudClaimRow {
  kind: string;
  injected: number;
  /** Not paid: rejected, held for review or asked for another photo. */
  caught: number;
  paid: number;
}

export interface SimReport {
  world: World;
  days: string[];
  merchants: { enrolled: number[]; active: number[] };
  payments: { notifications: number[]; collections: number[] };
  creditsFen: { granted: number[]; collected: number[]; lapsed: number[]; expired: number[]; forfeitedOverCap: number[] };
  claims: { byDay: Record<string, number[]>; total: number; automaticDecisionRate: number; automaticDecisionRateLegit: number; reasons: { code: string; claims: number }[] };
  cost: { reimbursedFen: number; perMerchantFen: number; per1000CollectionsFen: number; creditsGrantedFen: number; collections: number };
  coverage: { enrolled: number; merchantsClaimed: number; merchantsPaid: number; share: number; annualisedShare: number };
  fraud: { payments: FraudPaymentRow[]; legitPayments: number; legitFlagged: number; claims: FraudClaimRow[] };
  /** Reminders before credit lapses or expires: messages sent, credit reminded, and reminded credit then collected or spent in time. */
  reminders: ReminderOutcome[];
  /** Paid claims audited after payment (the simulated reviewer knows each claim's truth): what was found, and what it says of all paid claims. */
  audits: AuditStatistics;
  /** Refused claims appealed by their merchants and decided by the simulated reviewer, legitimate and forged apart. */
  appeals: { kind: 'legit' | 'forged'; appealed: number; approved: number; rejected: number; paidFen: number }[];
  /**
   * The programme's liability at the end of the last day, by city (the rollup the periodic work keeps),
   * its expected cost at the run's claim ratio (reimbursed over granted), and each city budget's use.
   */
  liability: {
    day: string;
    claimRatio: number | null;
    cities: { city: string; pendingFen: number; availableFen: number; reservedFen: number; outstandingFen: number; expectedCostFen: number | null }[];
    budgets: { city: string; period: string; limitFen: number; grantedFen: number; reached: boolean }[];
  };
  /** Invoices checked with their issuer (the sandbox service knows every bill the world issued): what it said at the decisions, and after payment of those decided without it. */
  verification: VerificationSummary;
  /** Wall-clock measurements: differ from run to run. */
  measured: {
    timeToMoneyMs: { p50: number | null; p90: number | null; p99: number | null; histogram: { upToMs: number; claims: number }[] };
    phases: { phase: string; items: number; wallMs: number }[];
    wallMs: number;
    notificationsPerS: number;
    claimsPerS: number;
    databaseBytes: number;
  };
}

const CLAIM_STATUSES = ['paid', 'rejected', 'in_review', 'photo_requested', 'in_flight'] as const;
const TIME_TO_MONEY_BUCKETS_MS = [500, 1_000, 2_000, 3_000, 5_000, 10_000, 30_000, 60_000, Infinity];

function perDay(world: World, rows: readonly { day: string; n: number }[]): number[] {
  const byDay = new Map(rows.map((r) => [r.day, Number(r.n)]));
  return Array.from({ length: world.days }, (_, d) => byDay.get(dayOf(world, d)) ?? 0);
}

function percentile(sorted: readonly number[], p: number): number | null {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]! : null;
}

async function daily(pool: pg.Pool, world: World, sql: string): Promise<number[]> {
  const { rows } = await pool.query<{ day: string; n: number }>(sql);
  return perDay(world, rows);
}

const SHANGHAI_DAY = (column: string) => `(${column} AT TIME ZONE 'Asia/Shanghai')::date::text`;

async function merchantsAndPayments(pool: pg.Pool, world: World) {
  const newcomers = await daily(pool, world, `SELECT ${SHANGHAI_DAY('enrolled_at')} AS day, count(*)::int AS n FROM merchants GROUP BY 1`);
  const enrolled = newcomers.map((_, d) => newcomers.slice(0, d + 1).reduce((a, b) => a + b, 0));
  const active = await daily(pool, world, 'SELECT business_day::text AS day, count(*)::int AS n FROM merchant_days GROUP BY 1');
  // payments that earn nothing are not stored: the day's notifications are what the run sent
  const { rows: sent } = await pool.query<{ day: number; items: number }>("SELECT day, items FROM sim_steps WHERE phase = 'payments'");
  const notifications = Array.from({ length: world.days }, (_, d) => Number(sent.find((s) => s.day === d)?.items ?? 0));
  const collections = await daily(pool, world, "SELECT business_day::text AS day, count(*)::int AS n FROM payments WHERE outcome IN ('credited', 'small_payment') GROUP BY 1");
  return { merchants: { enrolled, active }, payments: { notifications, collections } };
}

async function credits(pool: pg.Pool, world: World): Promise<SimReport['creditsFen']> {
  return {
    granted: await daily(pool, world, `SELECT ${SHANGHAI_DAY('earned_at')} AS day, sum(amount_fen)::bigint AS n FROM credit_lots GROUP BY 1`),
    collected: await daily(pool, world, `SELECT ${SHANGHAI_DAY('collected_at')} AS day, sum(amount_fen - CASE WHEN state = 'expired' THEN 0 ELSE lost_fen END)::bigint AS n FROM credit_lots WHERE collected_at IS NOT NULL GROUP BY 1`),
    lapsed: await daily(pool, world, `SELECT ${SHANGHAI_DAY('collect_by')} AS day, sum(lost_fen)::bigint AS n FROM credit_lots WHERE state = 'lapsed' GROUP BY 1`),
    expired: await daily(pool, world, `SELECT ${SHANGHAI_DAY('expires_at')} AS day, sum(lost_fen)::bigint AS n FROM credit_lots WHERE state = 'expired' GROUP BY 1`),
    forfeitedOverCap: await daily(pool, world, `SELECT ${SHANGHAI_DAY('collected_at')} AS day, sum(lost_fen)::bigint AS n FROM credit_lots WHERE collected_at IS NOT NULL AND state <> 'expired' GROUP BY 1`),
  };
}

interface ClaimRow {
  day: number;
  kind: string;
  status: string;
  decided_by: string | null;
  merchant_id: number;
  paid_fen: number | null;
  reason_codes: string[];
}

function claimStatus(r: ClaimRow): (typeof CLAIM_STATUSES)[number] {
  return (CLAIM_STATUSES as readonly string[]).includes(r.status) ? (r.status as (typeof CLAIM_STATUSES)[number]) : 'in_flight';
}

function automaticRate(rows: readonly ClaimRow[]): number {
  const settled = rows.filter((r) => claimStatus(r) !== 'in_flight');
  const machine = settled.filter((r) => r.decided_by === 'machine' && (r.status === 'paid' || r.status === 'rejected'));
  return settled.length ? machine.length / settled.length : 0;
}

async function claims(pool: pg.Pool, world: World): Promise<{ rows: ClaimRow[]; section: SimReport['claims'] }> {
  const { rows } = await pool.query<ClaimRow>(
    `SELECT s.day, s.kind, c.status, c.decided_by, c.merchant_id, c.paid_fen, c.reason_codes
       FROM sim_claims s JOIN claims c ON c.claim_id = s.claim_id ORDER BY s.day, s.claim_id`,
  );
  const byDay = Object.fromEntries(CLAIM_STATUSES.map((s) => [s, Array.from({ length: world.days }, () => 0)])) as Record<string, number[]>;
  for (const r of rows) byDay[claimStatus(r)]![r.day]! += 1;
  const reasons = new Map<string, number>();
  for (const r of rows) for (const code of new Set(r.reason_codes)) reasons.set(code, (reasons.get(code) ?? 0) + 1);
  return {
    rows,
    section: {
      byDay,
      total: rows.length,
      automaticDecisionRate: automaticRate(rows),
      automaticDecisionRateLegit: automaticRate(rows.filter((r) => r.kind === 'legit')),
      reasons: [...reasons].map(([code, n]) => ({ code, claims: n })).sort((a, b) => b.claims - a.claims || a.code.localeCompare(b.code)),
    },
  };
}

async function fraud(pool: pg.Pool, claimRows: readonly ClaimRow[]): Promise<SimReport['fraud']> {
  const { rows: actors } = await pool.query<{ kind: string; actor: string; payments: number; flagged: number; credit: number }>(
    `SELECT f.kind, f.actor, count(*)::int AS payments, count(*) FILTER (WHERE cardinality(p.signals) > 0)::int AS flagged, sum(p.credit_fen + p.welcome_fen)::bigint AS credit
       FROM sim_fraud_payments f JOIN payments p USING (trade_no) GROUP BY 1, 2`,
  );
  const payments = ['farming_ring', 'payer_fan_out'].map((kind) => {
    const of = actors.filter((a) => a.kind === kind);
    return {
      kind,
      actors: of.length,
      caughtActors: of.filter((a) => a.flagged > 0).length,
      payments: of.reduce((s, a) => s + a.payments, 0),
      flaggedPayments: of.reduce((s, a) => s + a.flagged, 0),
      creditFen: of.reduce((s, a) => s + Number(a.credit), 0),
    };
  });
  const { rows: legit } = await pool.query<{ n: number; flagged: number }>(
    `SELECT count(*)::int AS n, count(*) FILTER (WHERE cardinality(signals) > 0)::int AS flagged FROM payments p
      WHERE merchant_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sim_fraud_payments f WHERE f.trade_no = p.trade_no)`,
  );
  const claimsByKind = CLAIM_KINDS.filter((k) => k !== 'legit').map((kind) => {
    const of = claimRows.filter((r) => r.kind === kind && claimStatus(r) !== 'in_flight');
    return { kind, injected: of.length, caught: of.filter((r) => r.status !== 'paid').length, paid: of.filter((r) => r.status === 'paid').length };
  });
  return { payments, legitPayments: legit[0]!.n, legitFlagged: legit[0]!.flagged, claims: claimsByKind };
}

async function measured(pool: pg.Pool): Promise<SimReport['measured']> {
  const { rows: waits } = await pool.query<{ ms: number }>(
    `SELECT extract(epoch FROM (p.at - s.at)) * 1000 AS ms
       FROM sim_claims x
       JOIN claim_events s ON s.claim_id = x.claim_id AND s.event_no = 1
       JOIN claim_events p ON p.claim_id = x.claim_id AND p.status = 'paid'`,
  );
  const sorted = waits.map((w) => Number(w.ms)).sort((a, b) => a - b);
  const histogram = TIME_TO_MONEY_BUCKETS_MS.map((upToMs, i) => ({
    upToMs,
    claims: sorted.filter((ms) => ms <= upToMs && (i === 0 || ms > TIME_TO_MONEY_BUCKETS_MS[i - 1]!)).length,
  }));
  const { rows: steps } = await pool.query<{ phase: string; items: number; wall_ms: number }>('SELECT phase, sum(items)::bigint AS items, sum(wall_ms)::bigint AS wall_ms FROM sim_steps GROUP BY phase ORDER BY min(day), phase');
  const phases = steps.map((s) => ({ phase: s.phase, items: Number(s.items), wallMs: Number(s.wall_ms) }));
  const of = (phase: string) => phases.find((p) => p.phase === phase) ?? { items: 0, wallMs: 0 };
  const { rows: size } = await pool.query<{ bytes: number }>('SELECT pg_database_size(current_database()) AS bytes');
  return {
    timeToMoneyMs: { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), histogram },
    phases,
    wallMs: phases.reduce((s, p) => s + p.wallMs, 0),
    notificationsPerS: of('payments').items / Math.max(of('payments').wallMs / 1000, 0.001),
    claimsPerS: of('claims').items / Math.max(of('claims').wallMs / 1000, 0.001),
    databaseBytes: Number(size[0]!.bytes),
  };
}

async function appeals(pool: pg.Pool): Promise<SimReport['appeals']> {
  const { rows } = await pool.query<{ kind: 'legit' | 'forged'; appealed: number; approved: number; rejected: number; paid_fen: number }>(
    `SELECT CASE WHEN s.kind = 'legit' THEN 'legit' ELSE 'forged' END AS kind, count(*)::int AS appealed,
            count(*) FILTER (WHERE a.outcome = 'approved')::int AS approved, count(*) FILTER (WHERE a.outcome = 'rejected')::int AS rejected,
            coalesce(sum(c.paid_fen) FILTER (WHERE a.outcome = 'approved' AND c.status = 'paid'), 0)::bigint AS paid_fen
       FROM claim_appeals a JOIN sim_claims s ON s.claim_id = a.claim_id JOIN claims c ON c.merchant_id = a.merchant_id AND c.claim_id = a.claim_id
      GROUP BY 1`,
  );
  return (['legit', 'forged'] as const).map((kind) => {
    const r = rows.find((x) => x.kind === kind);
    return { kind, appealed: r?.appealed ?? 0, approved: r?.approved ?? 0, rejected: r?.rejected ?? 0, paidFen: Number(r?.paid_fen ?? 0) };
  });
}

async function liability(pool: pg.Pool, world: World, ratio: number | null): Promise<SimReport['liability']> {
  const day = dayOf(world, world.days - 1);
  const rows = (await liabilityRows(pool, day)).filter((r) => r.day === day);
  const { rows: budgets } = await pool.query<{ city: string; period: string; limit_fen: number; granted_fen: number; reached: boolean }>(
    'SELECT city, period, limit_fen, granted_fen, reached_at IS NOT NULL AS reached FROM city_budgets ORDER BY city, period',
  );
  return {
    day,
    claimRatio: ratio,
    cities: rows.map((r) => ({ city: r.city, pendingFen: r.pendingFen, availableFen: r.availableFen, reservedFen: r.reservedFen, outstandingFen: outstandingFen(r), expectedCostFen: expectedCostFen(outstandingFen(r), ratio) })),
    budgets: budgets.map((b) => ({ city: b.city, period: b.period, limitFen: b.limit_fen, grantedFen: b.granted_fen, reached: b.reached })),
  };
}

/** What the seed decides: everything but the wall-clock measurements. */
export function seededFigures(r: SimReport): Omit<SimReport, 'measured'> {
  const { measured: _measured, ...rest } = r;
  return rest;
}

export async function buildReport(pool: pg.Pool, world: World): Promise<SimReport> {
  const { merchants, payments } = await merchantsAndPayments(pool, world);
  const creditsFen = await credits(pool, world);
  const { rows: claimRows, section } = await claims(pool, world);
  const enrolled = merchants.enrolled.at(-1) ?? 0;
  const collections = payments.collections.reduce((a, b) => a + b, 0);
  const reimbursedFen = claimRows.reduce((s, r) => s + (r.status === 'paid' ? Number(r.paid_fen ?? 0) : 0), 0);
  const claimed = new Set(claimRows.map((r) => r.merchant_id));
  const dailyShare = enrolled ? claimed.size / enrolled / world.days : 0;
  return {
    world,
    days: Array.from({ length: world.days }, (_, d) => dayOf(world, d)),
    merchants,
    payments,
    creditsFen,
    claims: section,
    cost: {
      reimbursedFen,
      perMerchantFen: enrolled ? reimbursedFen / enrolled : 0,
      per1000CollectionsFen: collections ? (reimbursedFen / collections) * 1000 : 0,
      creditsGrantedFen: creditsFen.granted.reduce((a, b) => a + b, 0),
      collections,
    },
    coverage: {
      enrolled,
      merchantsClaimed: claimed.size,
      merchantsPaid: new Set(claimRows.filter((r) => r.status === 'paid').map((r) => r.merchant_id)).size,
      share: enrolled ? claimed.size / enrolled : 0,
      annualisedShare: 1 - (1 - dailyShare) ** 365,
    },
    fraud: await fraud(pool, claimRows),
    reminders: await reminderOutcomes(pool),
    audits: auditStatistics(await auditCounts(pool)),
    appeals: await appeals(pool),
    // the run's own ratio: the rollup's daily flows date payouts by the wall clock, the simulated days by the seed
    liability: await liability(pool, world, claimRatio([{ grantedFen: creditsFen.granted.reduce((a, b) => a + b, 0), claimedFen: reimbursedFen }])),
    verification: await verificationSummary(pool),
    measured: await measured(pool),
  };
}
