/**
 * The claim pipeline on PostgreSQL jobs: recognise → check and decide (reserving the credit on
 * approval) → pay → settle. Each step is a job enqueued in the transaction that made it due, reads
 * the claim's state first and does nothing when the step is already done (a replay), and is
 * retried with backoff; a job that used every attempt stays listed for operators (deadJobs). The
 * merchant is told of every state change in the same transaction (transitionClaim).
 */
import { getMerchant } from '../merchants/index.ts';
import type pg from 'pg';
import { enqueue, waitingJobs, withdraw, type JobTasks } from '../jobs/index.ts';
import { changeCredit, type CreditChange } from '../points/index.ts';
import { createPayout, MAX_UNKNOWN_OUTCOME_RETRIES, PAY_JOB_MAX_ATTEMPTS, payOut, PayoutOutcomeUnknown, payRetryDelayMs, type OnSettled, type PayoutGateway } from '../payouts/index.ts';
import { RecognitionError, showsAnInvoice, type HospitalRegistry, type Recognizer } from '../recognition/index.ts';
import type { FileStore } from '../storage/index.ts';
import { isCopyOfApprovedPhoto } from './duplicate-checks.ts';
import { evaluateClaim, lookAlikePhotos, recognisedPages, type ClaimEvaluation, type PageRecognition } from './evaluate.ts';
import { mergePages } from './merge.ts';
import { claimRulesetAt } from './rulesets.ts';
import { advice, advisePhoto, type PhotoAdvice } from './photo-advice.ts';
import { perceptualHash } from './phash.ts';
import { getClaim, transitionClaim, type Claim } from './store.ts';
import { inTransaction } from '../db/transaction.ts';
import { drawAudit } from '../audits/index.ts';
import { DEFAULT_AUDIT_SAMPLING, type AuditSampling } from '../config/config.ts';
import { present } from '../shared/assert.ts';
import { askIssuer, recordVerification, verifyAfterPayment, VERIFY_TASK, type ClaimVerification } from './verification-store.ts';

export interface ClaimsRuntime {
  pool: pg.Pool;
  files: FileStore;
  /** Loaded on first use: the OCR models are heavy and only workers need them. */
  recognizer: () => Promise<Recognizer>;
  /** The registry as it stands (the database's, refreshed within seconds of a change). */
  hospitals: () => Promise<HospitalRegistry>;
  gateway: PayoutGateway;
  /** The clock, for tests; the wall clock by default. */
  now?: () => Date;
  /** Which paid machine-approved claims are drawn for audit; DEFAULT_AUDIT_SAMPLING by default. */
  auditSampling?: AuditSampling;
  /** The invoice's issuer, asked before each decision; absent: invoices are not checked with their issuer. */
  verification?: ClaimVerification;
}

export interface ClaimJob {
  merchantId: number;
  claimId: string;
}

export const CLAIM_TASKS = { recognize: 'claim_recognize', decide: 'claim_decide', pay: 'claim_pay', verify: VERIFY_TASK } as const;
/** A payout's pay job, `payout:<id>`; its retry n, `payout:<id>:retry:<n>` (1..MAX_UNKNOWN_OUTCOME_RETRIES). */
const payJobKey = (payoutId: string, retry = 0): string => (retry === 0 ? `payout:${payoutId}` : `payout:${payoutId}:retry:${retry}`);
const payJobKeys = (payoutId: string): string[] => Array.from({ length: MAX_UNKNOWN_OUTCOME_RETRIES + 1 }, (_, retry) => payJobKey(payoutId, retry));

/**
 * A merchant's recognitions share one job queue: they are read one at a time, and a merchant with
 * claims waiting never keeps another's from the next free recognition slot.
 */
export function enqueueRecognition(client: pg.PoolClient, job: ClaimJob): Promise<void> {
  return enqueue(client, CLAIM_TASKS.recognize, { ...job }, { jobKey: `claim:${job.claimId}:recognize`, queueName: `claim_recognize:${job.merchantId}` });
}

function claimJob(payload: unknown): ClaimJob {
  const p = payload as Partial<ClaimJob> | null;
  if (!p || typeof p.merchantId !== 'number' || typeof p.claimId !== 'string') throw new Error(`malformed claim job payload ${JSON.stringify(payload)}`);
  return { merchantId: p.merchantId, claimId: p.claimId };
}


async function recognizePages(rt: ClaimsRuntime, claim: Claim): Promise<PageRecognition[]> {
  const recognizer = await rt.recognizer();
  const hospitals = await rt.hospitals();
  const pages: PageRecognition[] = [];
  for (const file of claim.files.filter((f) => f.role === 'invoice')) {
    const bytes = await rt.files.get(file.sha256);
    if (!bytes) throw new Error(`file ${file.sha256} of claim ${claim.claimId} is missing from the file store`);
    try {
      pages.push({ sha256: file.sha256, result: await recognizer.recognize(bytes, { now: claim.submittedAt, hospitals }) });
    } catch (err) {
      if (!(err instanceof RecognitionError)) throw err;
      pages.push({ sha256: file.sha256, error: { code: err.code, message: err.message } });
    }
  }
  return pages;
}

async function firstPhotoHash(rt: ClaimsRuntime, claim: Claim): Promise<string | null> {
  const photo = claim.files.find((f) => f.role === 'invoice' && f.mediaType !== 'application/pdf');
  const bytes = photo ? await rt.files.get(photo.sha256) : null;
  return bytes ? perceptualHash(bytes).catch(() => null) : null;
}

/** Refusals of a file for what reading it would cost (its budgets: bytes, pixels, pieces, seconds): no retake of the same file helps. */
const TOO_LARGE: readonly string[] = ['file_too_large', 'image_too_large', 'document_too_large', 'too_much_text', 'recognition_timeout'];

function adviceForError(code: string): PhotoAdvice | null {
  if (['truncated', 'corrupt'].includes(code)) return advice('damaged_file');
  return TOO_LARGE.includes(code) ? advice('too_large_to_read') : null;
}

/** A page the recognizer failed on, or in which nothing of an invoice was read. */
const unreadPage = (p: PageRecognition): boolean => p.error !== undefined || !showsAnInvoice(p.result!.invoice);

/** Statuses whose photos are waiting to be read: a claim's (or a resubmission's), and an appeal's. */
const WAITING_TO_BE_READ: readonly string[] = ['submitted', 'appealed'];

async function recognizeStep(rt: ClaimsRuntime, job: ClaimJob): Promise<void> {
  const claim = await getClaim(rt.pool, job.claimId, job.merchantId);
  if (!claim || !WAITING_TO_BE_READ.includes(claim.status)) return;
  const pages = await recognizePages(rt, claim);
  const phash = await firstPhotoHash(rt, claim);
  if (claim.status === 'appealed') return appealRead(rt, claim, pages, phash);
  const unreadable = pages.find(unreadPage);
  const tip = unreadable ? ((unreadable.error && adviceForError(unreadable.error.code)) ?? (await adviseFor(rt, unreadable.sha256))) : null;
  await inTransaction(rt.pool, async (client) => {
    const current = await getClaim(client, job.claimId, job.merchantId, { lock: true });
    if (current?.status !== 'submitted') return;
    if (tip) {
      await transitionClaim(client, claim, 'photo_requested', { code: `retake_${tip.code}`, zh: tip.zh, en: tip.en, details: { sha256: unreadable!.sha256, ...(unreadable!.error && { reason: unreadable!.error.code }) } }, { recognition: pages, phash });
      return;
    }
    await transitionClaim(client, claim, 'recognized', { code: 'recognized', zh: '票据已识别。', en: 'The invoice was read.', details: { pages: pages.length } }, { recognition: pages, phash });
    await enqueue(client, CLAIM_TASKS.decide, { ...job }, { jobKey: `claim:${job.claimId}:decide` });
  });
}

/**
 * An appeal's photos, read and judged by the rules, but not decided: whatever they show, a person
 * decides (the refusal is contested, not judged again by the machine that may have made it). The
 * reviewer sees what the rules make of the new photos (findings, fields, the amount they allow); a
 * page that could not be read is shown as such, and no approval stands on nothing read (review-routes.ts).
 */
async function appealRead(rt: ClaimsRuntime, claim: Claim, pages: PageRecognition[], phash: string | null): Promise<void> {
  const hospitals = await rt.hospitals();
  await inTransaction(rt.pool, async (client) => {
    const current = await getClaim(client, claim.claimId, claim.merchantId, { lock: true });
    if (current?.status !== 'appealed') return;
    const read = { ...current, recognition: pages, phash };
    const unread = pages.filter(unreadPage).length;
    const merchant = present(await getMerchant(client, claim.merchantId), `merchant ${claim.merchantId}, who has the claim`);
    const judged = recognisedPages(read).length > 0 ? await evaluateClaim(client, { claim: read, merchantName: merchant.legalName, hospitals, now: rt.now?.() ?? new Date() }) : null;
    const { invoiceCode, invoiceNumber, visitDate, hospitalId, coveredFen, benefitFen, findings, reasonCodes } = judged ?? {};
    await transitionClaim(
      client,
      claim,
      'appeal_review',
      { code: 'appeal_in_review', zh: '申诉的照片已识别，正在由另一位审核员复核。', en: "Your appeal's photos were read; another reviewer is deciding it.", details: { pages: pages.length, unread } },
      { recognition: pages, phash, decision: 'review', ...(judged ? { invoiceCode, invoiceNumber, visitDate, hospitalId, coveredFen, benefitFen, findings, reasonCodes } : {}) },
    );
  });
}

async function adviseFor(rt: ClaimsRuntime, sha256: string) {
  const bytes = await rt.files.get(sha256);
  return bytes ? advisePhoto(bytes) : advice('damaged_file');
}

/** The issuer's answer for the claim's invoice as read, asked before the decision's transaction. */
async function issuerOf(rt: ClaimsRuntime, job: ClaimJob, now: Date) {
  if (!rt.verification) return null;
  const claim = await getClaim(rt.pool, job.claimId, job.merchantId);
  const pages = claim?.status === 'recognized' ? recognisedPages(claim) : [];
  return pages.length > 0 ? askIssuer(rt.pool, rt.verification, mergePages(pages).invoice, now) : null;
}

async function decideStep(rt: ClaimsRuntime, job: ClaimJob): Promise<void> {
  const now = rt.now?.() ?? new Date();
  const hospitals = await rt.hospitals();
  const asked = await issuerOf(rt, job, now);
  await changeCredit(rt.pool, async (change) => {
    const { client } = change;
    await change.lock([job.merchantId]);
    const claim = await getClaim(client, job.claimId, job.merchantId, { lock: true });
    if (claim?.status !== 'recognized') return;
    const merchant = present(await getMerchant(client, job.merchantId), `merchant ${job.merchantId}, who has the claim`);
    const evaluation = await evaluateClaim(client, {
      claim,
      merchantName: merchant.legalName,
      hospitals,
      now,
      issuer: asked?.verified.answer ?? null,
    });
    await applyDecision(change, claim, evaluation, merchant.walletUserId);
    if (asked) await recordVerification(client, claim, mergePages(recognisedPages(claim)).invoice, asked, now);
  });
}

async function applyDecision(change: CreditChange, claim: Claim, evaluation: ClaimEvaluation, payeeUserId: string): Promise<void> {
  const { client } = change;
  const fields = {
    findings: evaluation.findings,
    decision: evaluation.decision,
    decidedBy: 'machine',
    reasonCodes: evaluation.reasonCodes,
    invoiceCode: evaluation.invoiceCode,
    invoiceNumber: evaluation.invoiceNumber,
    visitDate: evaluation.visitDate,
    hospitalId: evaluation.hospitalId,
    coveredFen: evaluation.coveredFen,
    benefitFen: evaluation.benefitFen,
    rulesetId: evaluation.rulesetId,
  };
  if (evaluation.decision === 'reject') {
    await transitionClaim(client, claim, 'rejected', { code: 'rejected', ...evaluation.summary, details: { reasonCodes: evaluation.reasonCodes } }, fields);
    return;
  }
  if (evaluation.decision === 'review') {
    await transitionClaim(client, claim, 'in_review', { code: 'sent_to_review', ...evaluation.summary, details: { reasonCodes: evaluation.reasonCodes } }, fields);
    return;
  }
  // What approval holds (the invoice's key, the photos) can be taken by a concurrent approval after
  // the checks ran: then the claim goes to a person, with nothing of the refused approval kept.
  await client.query('SAVEPOINT approval');
  try {
    await approveClaim(change, claim, { ...fields, benefitFen: evaluation.benefitFen, payeeUserId, decidedBy: 'machine' });
  } catch (err) {
    if (!(err instanceof ApprovalRefused)) throw err;
    await client.query('ROLLBACK TO SAVEPOINT approval');
    const summary = { zh: '转人工审核：无法自动批准。', en: `Sent to review: ${err.message}.` };
    await transitionClaim(client, claim, 'in_review', { code: 'sent_to_review', ...summary, details: { reasonCodes: [err.code] } }, { ...fields, decision: 'review', reasonCodes: [err.code] });
  }
}

/** Why an approval may not stand, whoever decided: the rules' uniqueness and what a payment must name. */
export class ApprovalRefused extends Error {
  constructor(
    readonly code: 'invoice_key_required' | 'visit_date_required' | 'covered_required' | 'invoice_already_reimbursed' | 'photo_already_reimbursed' | 'photo_unreadable',
    message: string,
  ) {
    super(message);
    this.name = 'ApprovalRefused';
  }
}

async function holdInvoice(client: pg.PoolClient, claim: Claim, invoiceCode: string, invoiceNumber: string): Promise<void> {
  const inserted = await client.query(
    'INSERT INTO invoice_claims (invoice_code, invoice_number, merchant_id, claim_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
    [invoiceCode, invoiceNumber, claim.merchantId, claim.claimId],
  );
  if (inserted.rowCount === 1) return;
  const { rows } = await client.query<{ claim_id: string }>('SELECT claim_id::text FROM invoice_claims WHERE invoice_code = $1 AND invoice_number = $2', [invoiceCode, invoiceNumber]);
  const holder = rows[0]?.claim_id;
  if (holder !== claim.claimId) throw new ApprovalRefused('invoice_already_reimbursed', `invoice ${invoiceCode}-${invoiceNumber} is already claimed by claim ${holder ?? 'unknown'}: an invoice is reimbursed at most once`);
}

/**
 * Each photo is paid at most once: its content hash is held (a unique key across merchants), and a
 * look-alike of a photo approved for the same visit day is refused. A photo that could not be hashed
 * (not a decodable image) shows nothing that could be paid for. Look-alikes are compared under a lock
 * on the visit day, so two approvals of one photo at once cannot both miss each other.
 */
async function holdPhotos(client: pg.PoolClient, claim: Claim, visitDate: string): Promise<void> {
  const invoiceFiles = claim.files.filter((f) => f.role === 'invoice');
  if (invoiceFiles.some((f) => f.mediaType !== 'application/pdf') && claim.phash === null) {
    throw new ApprovalRefused('photo_unreadable', 'the invoice photo could not be decoded as an image: ask for a new photo instead');
  }
  const { rows: held } = await client.query<{ sha256: string; claim_id: string }>(
    `WITH wanted AS (SELECT unnest($1::text[]) AS sha256),
          inserted AS (INSERT INTO reimbursed_photos (sha256, merchant_id, claim_id) SELECT sha256, $2, $3 FROM wanted ON CONFLICT (sha256) DO NOTHING RETURNING sha256)
     SELECT r.sha256, r.claim_id::text FROM reimbursed_photos r JOIN wanted w USING (sha256) WHERE r.sha256 NOT IN (SELECT sha256 FROM inserted) AND r.claim_id <> $3`,
    [invoiceFiles.map((f) => f.sha256), claim.merchantId, claim.claimId],
  );
  if (held[0]) throw new ApprovalRefused('photo_already_reimbursed', `photo ${held[0].sha256} was already reimbursed in claim ${held[0].claim_id}: a photo is paid at most once`);
  if (claim.phash === null) return;
  await client.query("SELECT pg_advisory_xact_lock(hashtext('claims:look-alike:' || $1))", [visitDate]);
  const pages = recognisedPages(claim);
  const totalFen = pages.length > 0 ? (mergePages(pages).invoice.totalFen?.value ?? null) : null;
  const copy = (await lookAlikePhotos(client, claim, visitDate, (await claimRulesetAt(client, claim.submittedAt)).rules.nearDuplicateMaxDistance, { approvedOnly: true })).find((d) => isCopyOfApprovedPhoto(d, totalFen));
  if (copy) throw new ApprovalRefused('photo_already_reimbursed', `the photo looks like the one of claim ${copy.claimId}, already approved for the same visit day: a photo is paid at most once`);
}

/**
 * The one way to approve, by machine or by reviewer: the invoice's key and the photos are held
 * (unique across all merchants), the credit reserved, the payout queued. The caller has judged the
 * claim by the rules; what is held here is what two concurrent approvals could otherwise both pass.
 */
export async function approveClaim(
  change: CreditChange,
  claim: Claim,
  approval: Partial<Parameters<typeof transitionClaim>[4]> & { benefitFen: number; payeeUserId: string; decidedBy: string },
  /** `said`: the merchant's words for the approval, given the amount in yuan (an appeal's carry the reviewer's reason). */
  event: { details?: Record<string, unknown>; said?: (yuan: string) => { zh: string; en: string } } = {},
): Promise<void> {
  const { client } = change;
  const { payeeUserId, ...fields } = approval;
  const invoiceCode = approval.invoiceCode ?? claim.invoiceCode;
  const invoiceNumber = approval.invoiceNumber ?? claim.invoiceNumber;
  const visitDate = approval.visitDate ?? claim.visitDate;
  if (!invoiceCode || !invoiceNumber) throw new ApprovalRefused('invoice_key_required', 'an approval names the invoice: its code and number (票据代码, 票据号码)');
  if (!visitDate) throw new ApprovalRefused('visit_date_required', 'an approval names the visit day (开票日期): the balance on that day limits the amount');
  if ((approval.coveredFen ?? claim.coveredFen) === null) throw new ApprovalRefused('covered_required', 'an approval names the covered charges: they limit the amount');
  await holdInvoice(client, claim, invoiceCode, invoiceNumber);
  await holdPhotos(client, claim, visitDate);
  const payout = await createPayout(change, { merchantId: claim.merchantId, claimId: claim.claimId, amountFen: approval.benefitFen, payeeUserId });
  const yuan = (approval.benefitFen / 100).toFixed(2);
  await transitionClaim(
    client,
    claim,
    'approved',
    { code: 'approved', ...(event.said?.(yuan) ?? { zh: `已批准报销 ¥${yuan}，正在转账到您的账户。`, en: `Approved: ¥${yuan} is being transferred to your wallet.` }), details: { ...event.details, payoutId: payout.payoutId } },
    { ...fields, invoiceCode, invoiceNumber, visitDate, decision: 'approve' },
  );
  await enqueue(client, CLAIM_TASKS.pay, { merchantId: claim.merchantId, claimId: claim.claimId, payoutId: payout.payoutId }, { jobKey: payJobKey(payout.payoutId), maxAttempts: PAY_JOB_MAX_ATTEMPTS });
}

/** What a settled payout does to its claim: paid (and perhaps drawn for audit), or back to a person. */
const settledFor = (rt: ClaimsRuntime): OnSettled => async (client, payout, settlement) => {
  await withdraw(client, payJobKeys(payout.payoutId));
  const claim = { merchantId: payout.merchantId, claimId: payout.claimId };
  const yuan = (payout.amountFen / 100).toFixed(2);
  if (settlement.kind === 'succeeded') {
    await transitionClaim(client, claim, 'paid', { code: 'paid', zh: `¥${yuan} 已转入您的账户。`, en: `¥${yuan} is in your wallet.`, details: { payoutId: payout.payoutId, orderId: settlement.orderId } }, { paidFen: payout.amountFen });
    await drawAudit(client, { ...claim, payoutId: payout.payoutId, paidFen: payout.amountFen }, rt.auditSampling ?? DEFAULT_AUDIT_SAMPLING, rt.now?.() ?? new Date());
    return;
  }
  await transitionClaim(client, claim, 'in_review', {
    code: 'payout_failed',
    zh: '转账未成功，工作人员将尽快处理。',
    en: 'The transfer did not go through; a member of staff will look at it.',
    details: { payoutId: payout.payoutId, failureCode: settlement.code, message: settlement.message },
  });
};

async function payStep(rt: ClaimsRuntime, payload: unknown): Promise<void> {
  const job = claimJob(payload);
  const { payoutId, retry = 0 } = payload as { payoutId?: unknown; retry?: number };
  if (typeof payoutId !== 'string' || typeof retry !== 'number') throw new Error(`malformed payout job payload ${JSON.stringify(payload)}`);
  try {
    await payOut(rt.pool, rt.gateway, { merchantId: job.merchantId, payoutId }, { orderTitle: '门诊报销 outpatient reimbursement', onSettled: settledFor(rt) });
  } catch (err) {
    // unknown: try again later; the next attempt queries the gateway before anything else
    if (!(err instanceof PayoutOutcomeUnknown) || retry >= MAX_UNKNOWN_OUTCOME_RETRIES) throw err;
    const delayMs = payRetryDelayMs(retry);
    // A job of this payout waiting to run (the retry a killed worker's run had queued before its job
    // was taken back and run again) carries the chain on: a second chain would only double the queries.
    const others = payJobKeys(payoutId).filter((_, n) => n !== retry);
    if ((await waitingJobs(rt.pool, others)) > 0) return;
    // a key of its own: the running job's key, given again, would be taken from it (see onlyIfAbsent).
    // runAt is a delay on the queue's clock (real time), not the business clock: a test's or the
    // demo's fixed clock would make every retry due at once.
    await enqueue(rt.pool, CLAIM_TASKS.pay, { ...job, payoutId, retry: retry + 1 }, { jobKey: payJobKey(payoutId, retry + 1), runAt: new Date(Date.now() + delayMs), maxAttempts: PAY_JOB_MAX_ATTEMPTS, onlyIfAbsent: true });
  }
}

export function claimTasks(rt: ClaimsRuntime): JobTasks {
  return {
    [CLAIM_TASKS.recognize]: (payload) => recognizeStep(rt, claimJob(payload)),
    [CLAIM_TASKS.decide]: (payload) => decideStep(rt, claimJob(payload)),
    [CLAIM_TASKS.pay]: (payload) => payStep(rt, payload),
    [CLAIM_TASKS.verify]: async (payload) => {
      await verifyAfterPayment(rt.pool, rt.verification, claimJob(payload), rt.now?.() ?? new Date());
    },
  };
}
