import type pg from 'pg';
import { addDays, businessDay, businessDayStart } from '../shared/business-day.ts';
import { onlyRow } from '../shared/assert.ts';

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/** Upper bounds (seconds) of the time-to-money histogram's buckets; the last bucket is open. */
export const TIME_TO_MONEY_BUCKETS_S = [2, 6, 30, 120, 3600] as const;

export interface DailyRow {
  day: string;
  claims: number;
  automatic: number;
  decided: number;
  paid: number;
  grantedFen: number;
  collectedFen: number;
  lapsedFen: number;
  expiredFen: number;
  enrolments: number;
  /** Appeals made that day, and how those were decided (the rest wait for a reviewer). */
  appeals: number;
  appealsApproved: number;
  appealsRejected: number;
}

export interface Dashboard {
  days: DailyRow[];
  timeToMoney: { p50Seconds: number | null; p90Seconds: number | null; buckets: { upToSeconds: number | null; claims: number }[] };
  enrolmentsByCity: { city: string; merchants: number }[];
}

// Business days are Shanghai days (src/shared/business-day.ts); SQL groups by the same zone.
const DAY = `AT TIME ZONE 'Asia/Shanghai')::date::text`;

async function perDay(db: Queryable, sql: string, from: Date): Promise<Map<string, Record<string, number>>> {
  const { rows } = await db.query<{ day: string } & Record<string, string>>(sql, [from]);
  return new Map(rows.map(({ day, ...values }) => [day, Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Number(v)]))]));
}

/** The console's figures over the last `days` business days up to `now`. */
export async function dashboard(db: Queryable, now: Date, days: number): Promise<Dashboard> {
  const firstDay = addDays(businessDay(now), -(days - 1));
  const from = businessDayStart(firstDay);
  const [claims, granted, collected, lapsed, expired, enrolled, appeals] = await Promise.all([
    perDay(
      db,
      `SELECT (submitted_at ${DAY} AS day, count(*) AS claims,
              count(*) FILTER (WHERE decided_by = 'machine' AND decision IN ('approve', 'reject')) AS automatic,
              count(*) FILTER (WHERE decided_by IS NOT NULL) AS decided, count(*) FILTER (WHERE status = 'paid') AS paid
         FROM claims WHERE submitted_at >= $1 GROUP BY 1`,
      from,
    ),
    perDay(db, `SELECT (earned_at ${DAY} AS day, sum(amount_fen) AS fen FROM credit_lots WHERE earned_at >= $1 GROUP BY 1`, from),
    perDay(db, `SELECT (collected_at ${DAY} AS day, sum(amount_fen) AS fen FROM credit_lots WHERE collected_at >= $1 GROUP BY 1`, from),
    perDay(db, `SELECT (collect_by ${DAY} AS day, sum(amount_fen) AS fen FROM credit_lots WHERE state = 'lapsed' AND collect_by >= $1 GROUP BY 1`, from),
    perDay(db, `SELECT (expires_at ${DAY} AS day, sum(amount_fen) AS fen FROM credit_lots WHERE state = 'expired' AND expires_at >= $1 GROUP BY 1`, from),
    perDay(db, `SELECT (enrolled_at ${DAY} AS day, count(*) AS merchants FROM merchants WHERE enrolled_at >= $1 GROUP BY 1`, from),
    perDay(
      db,
      `SELECT (appealed_at ${DAY} AS day, count(*) AS appeals, count(*) FILTER (WHERE outcome = 'approved') AS approved, count(*) FILTER (WHERE outcome = 'rejected') AS rejected
         FROM claim_appeals WHERE appealed_at >= $1 GROUP BY 1`,
      from,
    ),
  ]);
  const rows: DailyRow[] = [];
  for (let i = 0; i < days; i++) {
    const day = addDays(firstDay, i);
    const c = claims.get(day) ?? {};
    rows.push({
      day,
      claims: c.claims ?? 0,
      automatic: c.automatic ?? 0,
      decided: c.decided ?? 0,
      paid: c.paid ?? 0,
      grantedFen: granted.get(day)?.fen ?? 0,
      collectedFen: collected.get(day)?.fen ?? 0,
      lapsedFen: lapsed.get(day)?.fen ?? 0,
      expiredFen: expired.get(day)?.fen ?? 0,
      enrolments: enrolled.get(day)?.merchants ?? 0,
      appeals: appeals.get(day)?.appeals ?? 0,
      appealsApproved: appeals.get(day)?.approved ?? 0,
      appealsRejected: appeals.get(day)?.rejected ?? 0,
    });
  }
  return { days: rows, timeToMoney: await timeToMoney(db, from), enrolmentsByCity: await enrolmentsByCity(db) };
}

async function timeToMoney(db: Queryable, from: Date): Promise<Dashboard['timeToMoney']> {
  const bounds = TIME_TO_MONEY_BUCKETS_S.map(Number);
  const { rows } = await db.query<{ p50: number | null; p90: number | null; buckets: number[] | null }>(
    `WITH paid AS (
       SELECT extract(epoch FROM e.at - c.submitted_at) AS seconds
         FROM claims c JOIN claim_events e ON e.merchant_id = c.merchant_id AND e.claim_id = c.claim_id AND e.status = 'paid'
        WHERE c.submitted_at >= $1)
     SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS p50, percentile_cont(0.9) WITHIN GROUP (ORDER BY seconds) AS p90,
            (SELECT array_agg(n ORDER BY b) FROM (SELECT b, (SELECT count(*) FROM paid WHERE width_bucket(seconds, $2::float8[]) = b)::int AS n FROM generate_series(0, $3) AS b) AS h) AS buckets
       FROM paid`,
    [from, bounds, bounds.length],
  );
  const r = onlyRow(rows, 'the time-to-money percentiles');
  return {
    p50Seconds: r.p50 === null ? null : Number(r.p50),
    p90Seconds: r.p90 === null ? null : Number(r.p90),
    buckets: (r.buckets ?? []).map((claims, i) => ({ upToSeconds: bounds[i] ?? null, claims })),
  };
}

async function enrolmentsByCity(db: Queryable): Promise<Dashboard['enrolmentsByCity']> {
  const { rows } = await db.query<{ city: string; merchants: number }>('SELECT city, count(*)::int AS merchants FROM merchants GROUP BY city ORDER BY merchants DESC, city LIMIT 10');
  return rows;
}
