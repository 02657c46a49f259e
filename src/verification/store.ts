/**
 * Asking the issuer, with the answers cached and the platform's daily limit per bill kept, in one
 * table keyed by the bill (invoice_verifications, global: a bill is the issuer's, not a merchant's).
 * A found bill's record never changes, so it is kept; "not found" is kept for its Shanghai day only
 * (a bill may reach the platform later). A check is counted before it is sent, in one upsert that
 * refuses it past the limit, so concurrent workers never send more than the limit between them.
 */
import type pg from 'pg';
import { businessDay } from '../shared/business-day.ts';
import type { InvoiceVerifier, IssuedBill, VerifyAnswer, VerifyRequest } from './protocol.ts';

type Queryable = Pick<pg.Pool, 'query'>;

export interface VerificationLimits {
  /** Checks of one bill sent a Shanghai day, at most (the platform refuses past its own). */
  dailyLimitPerBill: number;
}

export interface Verified {
  answer: VerifyAnswer;
  /** The answer came from the cache: nothing was sent. */
  cached: boolean;
}

/** The issuer's answer for one bill: from the cache, else asked (within today's allowance). */
export async function verifyBill(db: Queryable, verifier: InvoiceVerifier, request: VerifyRequest, limits: VerificationLimits, now: Date): Promise<Verified> {
  const today = businessDay(now);
  const { rows } = await db.query<{ answer: 'found' | 'not_found' | null; issuer_record: IssuedBill | null; answered_day: string | null }>(
    `SELECT answer, issuer_record, to_char(answered_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS answered_day
       FROM invoice_verifications WHERE invoice_code = $1 AND invoice_number = $2`,
    [request.billCode, request.billNumber],
  );
  const row = rows[0];
  if (row?.answer === 'found' && row.issuer_record) return { answer: { kind: 'found', bill: row.issuer_record }, cached: true };
  if (row?.answer === 'not_found' && row.answered_day === today) return { answer: { kind: 'not_found' }, cached: true };
  const counted = await db.query(
    `INSERT INTO invoice_verifications AS v (invoice_code, invoice_number, checks_day, checks_today, checks_total) VALUES ($1, $2, $3, 1, 1)
     ON CONFLICT (invoice_code, invoice_number) DO UPDATE
       SET checks_today = CASE WHEN v.checks_day = excluded.checks_day THEN v.checks_today + 1 ELSE 1 END, checks_day = excluded.checks_day, checks_total = v.checks_total + 1
     WHERE v.checks_day <> excluded.checks_day OR v.checks_today < $4`,
    [request.billCode, request.billNumber, today, limits.dailyLimitPerBill],
  );
  if (counted.rowCount === 0) {
    await db.query('UPDATE invoice_verifications SET limited_on = $3 WHERE invoice_code = $1 AND invoice_number = $2', [request.billCode, request.billNumber, today]);
    return { answer: { kind: 'unavailable', reason: 'daily_limit', detail: `${limits.dailyLimitPerBill} checks of this bill were sent today, the most a day` }, cached: false };
  }
  const answer = await verifier.verify(request);
  if (answer.kind !== 'unavailable') {
    await db.query('UPDATE invoice_verifications SET answer = $3, issuer_record = $4, answered_at = $5 WHERE invoice_code = $1 AND invoice_number = $2', [
      request.billCode,
      request.billNumber,
      answer.kind,
      answer.kind === 'found' ? JSON.stringify(answer.bill) : null,
      now,
    ]);
  }
  return { answer, cached: false };
}

export interface CacheState {
  /** Bills whose answer is kept: found, and not found (today's). */
  foundBills: number;
  notFoundBills: number;
  /** Checks sent today, and bills that reached the daily limit today. */
  checksToday: number;
  /** Bills a check of which was refused today: their day's allowance was spent. */
  billsLimitedToday: number;
}

export async function verificationCacheState(db: Queryable, now: Date): Promise<CacheState> {
  const { rows } = await db.query<{ found: number; not_found: number; checks_today: number; at_limit: number }>(
    `SELECT count(*) FILTER (WHERE answer = 'found')::int AS found,
            count(*) FILTER (WHERE answer = 'not_found')::int AS not_found,
            coalesce(sum(checks_today) FILTER (WHERE checks_day = $1), 0)::int AS checks_today,
            count(*) FILTER (WHERE limited_on = $1)::int AS at_limit
       FROM invoice_verifications`,
    [businessDay(now)],
  );
  const r = rows[0]!;
  return { foundBills: r.found, notFoundBills: r.not_found, checksToday: r.checks_today, billsLimitedToday: r.at_limit };
}
