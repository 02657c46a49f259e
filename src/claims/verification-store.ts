/**
 * Claims and their invoice's issuer (src/verification), the I/O around the pure issuer-checks.ts: the
 * question asked before a decision (outside its transaction, so a slow issuer holds no lock and no
 * other merchant's claim waits), what was answered recorded beside the claim, and the check after
 * payment of a claim decided without the issuer: a job with retries, which sends a paid claim the
 * issuer contradicts to the audit desk (src/audits: a reviewer's overpayment decision recovers it
 * through the ledger).
 */
import type pg from 'pg';
import { drawForVerification } from '../audits/index.ts';
import { inTransaction } from '../db/transaction.ts';
import type { TimeKey } from '../http/cursor.ts';
import { enqueue } from '../jobs/index.ts';
import type { Invoice } from '../recognition/types.ts';
import { verifyBill, type InvoiceVerifier, type UnavailableReason, type VerificationLimits, type Verified, type VerifyAnswer, type VerifyRequest } from '../verification/index.ts';
import { comparedFields, issuerRequestOf, readOf, type ReadTotalAndDate } from './issuer-checks.ts';

type Queryable = Pick<pg.Pool, 'query'>;

/** The verifier the claim workers ask, and how often a bill may be asked a day. */
export interface ClaimVerification {
  verifier: InvoiceVerifier;
  limits: VerificationLimits;
}

export type VerificationOutcome = 'verified' | 'mismatched' | 'unknown_bill' | 'deferred';
export type AfterPayment = 'queued' | 'verified' | 'mismatched' | 'unknown_bill';

export const VERIFY_TASK = 'claim_verify_after_payment';
/** Retries of a check after payment (graphile-worker's backoff: exp(attempt) seconds, about 2 days in all). */
const VERIFY_MAX_ATTEMPTS = 25;

export interface Asked {
  request: VerifyRequest;
  verified: Verified;
}

/** The issuer's answer for an invoice, or null when the platform cannot be asked about it (or verification is off). */
export async function askIssuer(db: Queryable, verification: ClaimVerification | undefined, invoice: Invoice, now: Date): Promise<Asked | null> {
  const request = verification ? issuerRequestOf(invoice) : null;
  if (!verification || !request) return null;
  return { request, verified: await verifyBill(db, verification.verifier, request, verification.limits, now) };
}

/** The outcome of an answer for this invoice, with the fields the issuer contradicts. */
export function outcomeOf(read: ReadTotalAndDate, answer: VerifyAnswer): { outcome: VerificationOutcome; mismatched: string[] } {
  if (answer.kind === 'not_found') return { outcome: 'unknown_bill', mismatched: [] };
  if (answer.kind === 'unavailable') return { outcome: 'deferred', mismatched: [] };
  const { mismatched } = comparedFields(read, answer);
  return { outcome: mismatched.length > 0 ? 'mismatched' : 'verified', mismatched };
}

/**
 * In the decision's transaction: what the issuer said of the claim's bill. Decided without the issuer,
 * the claim is queued for a check after payment (its job enqueued here, retried until it is done).
 */
export async function recordVerification(client: pg.PoolClient, claim: { merchantId: number; claimId: string }, invoice: Invoice, asked: Asked, now: Date): Promise<void> {
  const { answer } = asked.verified;
  const { outcome, mismatched } = outcomeOf(readOf(invoice), answer);
  const r = asked.request;
  await client.query(
    `INSERT INTO claim_verifications (merchant_id, claim_id, invoice_code, invoice_number, check_code, issue_date, total_fen, outcome, deferred_because, checked_at, after_payment, mismatched_fields)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (merchant_id, claim_id) DO UPDATE SET invoice_code = excluded.invoice_code, invoice_number = excluded.invoice_number, check_code = excluded.check_code,
       issue_date = excluded.issue_date, total_fen = excluded.total_fen, outcome = excluded.outcome, deferred_because = excluded.deferred_because, checked_at = excluded.checked_at,
       after_payment = excluded.after_payment, mismatched_fields = excluded.mismatched_fields, attempts = 0, last_error = NULL, settled_at = NULL`,
    [claim.merchantId, claim.claimId, r.billCode, r.billNumber, r.checkCode, r.issueDate, r.totalFen, outcome, answer.kind === 'unavailable' ? answer.reason : null, now, outcome === 'deferred' ? 'queued' : null, mismatched.length ? mismatched : null],
  );
  if (outcome === 'deferred') await enqueue(client, VERIFY_TASK, { merchantId: claim.merchantId, claimId: claim.claimId }, { jobKey: `claim:${claim.claimId}:verify`, maxAttempts: VERIFY_MAX_ATTEMPTS });
}

/** The issuer did not answer: the job fails and graphile-worker tries again later. */
export class IssuerStillUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IssuerStillUnavailable';
  }
}

interface QueuedRow {
  invoice_code: string;
  invoice_number: string;
  check_code: string;
  issue_date: string;
  total_fen: string;
  status: string;
}

/**
 * The check after payment of one queued claim. A claim whose payment is still on its way waits (the
 * job retries); a paid claim the issuer contradicts (another total or date, or no such bill) is put on
 * the audit desk; any other claim's answer is recorded for the person who has it.
 */
export async function verifyAfterPayment(db: pg.Pool, verification: ClaimVerification | undefined, job: { merchantId: number; claimId: string }, now: Date): Promise<AfterPayment> {
  const { rows } = await db.query<QueuedRow>(
    `SELECT v.invoice_code, v.invoice_number, v.check_code, to_char(v.issue_date, 'YYYY-MM-DD') AS issue_date, v.total_fen::text, c.status
       FROM claim_verifications v JOIN claims c USING (merchant_id, claim_id)
      WHERE v.merchant_id = $1 AND v.claim_id = $2 AND v.after_payment = 'queued'`,
    [job.merchantId, job.claimId],
  );
  const row = rows[0];
  if (!row) return 'verified';
  if (row.status === 'approved') throw new IssuerStillUnavailable(`claim ${job.claimId} is being paid: checked with its issuer once it is paid`);
  if (!verification) throw new IssuerStillUnavailable('no invoice verifier is configured in this worker (CAREPOINTS_VERIFIER_URL)');
  const request: VerifyRequest = { billCode: row.invoice_code, billNumber: row.invoice_number, checkCode: row.check_code, issueDate: row.issue_date, totalFen: Number(row.total_fen) };
  const { answer } = await verifyBill(db, verification.verifier, request, verification.limits, now);
  if (answer.kind === 'unavailable') {
    await db.query('UPDATE claim_verifications SET attempts = attempts + 1, last_error = $3 WHERE merchant_id = $1 AND claim_id = $2', [job.merchantId, job.claimId, `${answer.reason}: ${answer.detail}`]);
    throw new IssuerStillUnavailable(`the issuer of claim ${job.claimId}'s invoice gave no answer (${answer.reason}): ${answer.detail}`);
  }
  // compared with what was read and asked, as at the decision
  const { outcome, mismatched } = outcomeOf({ totalFen: request.totalFen, issueDate: request.issueDate }, answer);
  const after = outcome as Exclude<VerificationOutcome, 'deferred'>;
  await inTransaction(db, async (client) => {
    const updated = await client.query(
      `UPDATE claim_verifications SET after_payment = $3, settled_at = $4, attempts = attempts + 1, last_error = NULL, mismatched_fields = $5
        WHERE merchant_id = $1 AND claim_id = $2 AND after_payment = 'queued'`,
      [job.merchantId, job.claimId, after, now, mismatched.length ? mismatched : null],
    );
    if (updated.rowCount !== 1 || after === 'verified') return;
    const { rows: paid } = await client.query<{ payout_id: string; amount_fen: string }>(
      "SELECT p.payout_id, p.amount_fen::text FROM payouts p JOIN claims c USING (merchant_id, claim_id) WHERE p.merchant_id = $1 AND p.claim_id = $2 AND p.state = 'succeeded' AND c.status = 'paid'",
      [job.merchantId, job.claimId],
    );
    if (paid[0]) await drawForVerification(client, { ...job, payoutId: paid[0].payout_id, paidFen: Number(paid[0].amount_fen) }, now);
  });
  return after;
}

export interface VerificationSummary {
  /** Claims by what the issuer said at their decision. */
  atDecision: Record<VerificationOutcome, number>;
  /** Claims decided without the issuer, by their check after payment. */
  afterPayment: Record<AfterPayment, number>;
  /** Of those the issuer contradicted after payment, how many went to the audit desk. */
  sentToAudit: number;
}

/** Counts of every claim asked about; one statement a distributed database runs on every shard. */
export async function verificationSummary(db: Queryable): Promise<VerificationSummary> {
  const { rows } = await db.query<{ outcome: VerificationOutcome; after_payment: AfterPayment | null; n: number; audited: number }>(
    `SELECT v.outcome, v.after_payment, count(*)::int AS n, count(a.claim_id)::int AS audited
       FROM claim_verifications v LEFT JOIN claim_audits a ON a.merchant_id = v.merchant_id AND a.claim_id = v.claim_id AND a.drawn_because = 'verification'
      GROUP BY v.outcome, v.after_payment`,
  );
  const atDecision: Record<VerificationOutcome, number> = { verified: 0, mismatched: 0, unknown_bill: 0, deferred: 0 };
  const afterPayment: Record<AfterPayment, number> = { queued: 0, verified: 0, mismatched: 0, unknown_bill: 0 };
  let sentToAudit = 0;
  for (const r of rows) {
    atDecision[r.outcome] += r.n;
    if (r.after_payment) afterPayment[r.after_payment] += r.n;
    sentToAudit += r.audited;
  }
  return { atDecision, afterPayment, sentToAudit };
}

export interface DeferredCheck {
  merchantId: number;
  claimId: string;
  claimStatus: string;
  invoiceCode: string;
  invoiceNumber: string;
  totalFen: number;
  deferredBecause: UnavailableReason;
  checkedAt: Date;
  afterPayment: AfterPayment;
  attempts: number;
  lastError: string | null;
  settledAt: Date | null;
  mismatchedFields: ('total' | 'issue_date')[] | null;
  /** The audit a contradicted paid claim went to, and its state. */
  auditStatus: 'pending' | 'confirmed' | 'overpaid' | null;
}

/** Claims decided without the issuer (the queue and what became of it), oldest first, after the (checkedAt, claimId) cursor. */
export async function listDeferredChecks(db: Queryable, page: { after?: TimeKey | undefined; limit: number; afterPayment?: AfterPayment | undefined }): Promise<DeferredCheck[]> {
  const { rows } = await db.query<DeferredCheck>(
    `SELECT v.merchant_id::int AS "merchantId", v.claim_id::text AS "claimId", c.status AS "claimStatus", v.invoice_code AS "invoiceCode", v.invoice_number AS "invoiceNumber",
            v.total_fen::int AS "totalFen", v.deferred_because AS "deferredBecause", v.checked_at AS "checkedAt", v.after_payment AS "afterPayment", v.attempts,
            v.last_error AS "lastError", v.settled_at AS "settledAt", v.mismatched_fields AS "mismatchedFields", a.status AS "auditStatus"
       FROM claim_verifications v
       JOIN claims c ON c.merchant_id = v.merchant_id AND c.claim_id = v.claim_id
       LEFT JOIN claim_audits a ON a.merchant_id = v.merchant_id AND a.claim_id = v.claim_id AND a.drawn_because = 'verification'
      WHERE v.outcome = 'deferred' AND ($3::text IS NULL OR v.after_payment = $3)
        AND ($1::timestamptz IS NULL OR (v.checked_at, v.claim_id) > ($1, $2::uuid))
      ORDER BY v.checked_at, v.claim_id LIMIT $4`,
    [page.after?.at ?? null, page.after?.id ?? null, page.afterPayment ?? null, page.limit],
  );
  return rows;
}
