/**
 * Gathers the facts the pure claim rules need (registry entry, earlier reimbursement by the
 * invoice's key, the merchant's credit) and runs checks, benefit and decision over them.
 */
import type pg from 'pg';
import { creditContext } from '../points/index.ts';
import type { HospitalRegistry, RecognitionResult } from '../recognition/index.ts';
import { computeBenefit } from './benefit.ts';
import { checkClaim, type NearDuplicate } from './checks.ts';
import { correctInvoice, type ReviewerCorrections } from './corrections.ts';
import { decideClaim, type ClaimDecisionKind } from './decision.ts';
import type { ClaimFinding } from './findings.ts';
import { mergePages } from './merge.ts';
import { claimRulesetAt } from './rulesets.ts';
import type { Claim } from './store.ts';
import type { VerifyAnswer } from '../verification/index.ts';

/** One invoice page as the recognize step stored it. */
export interface PageRecognition {
  sha256: string;
  result?: RecognitionResult;
  error?: { code: string; message: string };
}

export interface ClaimEvaluation {
  findings: ClaimFinding[];
  decision: ClaimDecisionKind;
  reasonCodes: string[];
  summary: { zh: string; en: string };
  invoiceCode: string | null;
  invoiceNumber: string | null;
  visitDate: string | null;
  hospitalId: string | null;
  coveredFen: number;
  benefitFen: number;
  /** The claims ruleset version that judged it: the one in force at submission. */
  rulesetId: number;
}

const INVOICE_KEY = /^[0-9A-Za-z]{1,20}$/;

/**
 * Earlier photos of claims for a visit on the same day within `maxDistance` bits of this claim's
 * look-alike hash, closest first (`approvedOnly`: of claims approved or paid), with what each
 * claim's invoice said: bills of one hospital share a template and hash alike, so a look-alike with
 * another number or total may be a sibling, not a copy (duplicate-checks.ts).
 */
export async function lookAlikePhotos(
  client: pg.PoolClient,
  claim: Pick<Claim, 'claimId' | 'phash'>,
  visitDate: string | null,
  maxDistance: number,
  options: { approvedOnly: boolean },
): Promise<NearDuplicate[]> {
  if (!claim.phash || visitDate === null || !/^\d{4}-\d{2}-\d{2}$/.test(visitDate)) return [];
  const { rows } = await client.query<{ claim_id: string; distance: number; invoice_number: string | null; total_fen: string | null }>(
    `SELECT * FROM (
       SELECT claim_id::text, bit_count(('x' || phash)::bit(64) # ('x' || $1)::bit(64))::int AS distance, invoice_number,
              (SELECT p -> 'result' -> 'invoice' -> 'totalFen' ->> 'value' FROM jsonb_array_elements(coalesce(recognition, '[]')) p
                WHERE p -> 'result' -> 'invoice' -> 'totalFen' ->> 'value' IS NOT NULL LIMIT 1) AS total_fen
         FROM claims WHERE phash IS NOT NULL AND claim_id <> $2 AND visit_date = $3::date AND (NOT $5 OR status IN ('approved', 'paid'))) near
      WHERE distance <= $4 ORDER BY distance`,
    [claim.phash, claim.claimId, visitDate, maxDistance, options.approvedOnly],
  );
  return rows.map((r) => ({ claimId: r.claim_id, distance: r.distance, visitDate, invoiceNumber: r.invoice_number, totalFen: r.total_fen === null ? null : Number(r.total_fen) }));
}

/** The claim that was paid for one of these photos (by content hash), if another claim was. */
export async function photoHolder(client: pg.PoolClient, claim: Pick<Claim, 'claimId' | 'files'>): Promise<string | null> {
  const { rows } = await client.query<{ claim_id: string }>('SELECT claim_id::text FROM reimbursed_photos WHERE sha256 = ANY($1) AND claim_id <> $2 LIMIT 1', [
    claim.files.filter((f) => f.role === 'invoice').map((f) => f.sha256),
    claim.claimId,
  ]);
  return rows[0]?.claim_id ?? null;
}

/** The recognised pages of a claim (those that read at all). */
export function recognisedPages(claim: Pick<Claim, 'recognition'>): RecognitionResult[] {
  return ((claim.recognition ?? []) as PageRecognition[]).flatMap((p) => (p.result ? [p.result] : []));
}

/**
 * `corrections`: what a reviewer supplied; the evaluation then judges the corrected invoice by the
 * same checks and benefit as the machine's own reading.
 */
export async function evaluateClaim(
  client: pg.PoolClient,
  facts: { claim: Claim; merchantName: string; hospitals: HospitalRegistry; now: Date; corrections?: ReviewerCorrections; issuer?: VerifyAnswer | null },
): Promise<ClaimEvaluation> {
  const ruleset = await claimRulesetAt(client, facts.claim.submittedAt);
  const rules = ruleset.rules;
  const corrections = facts.corrections ?? {};
  const pages = recognisedPages(facts.claim);
  const invoice = correctInvoice(mergePages(pages).invoice, corrections);
  const code = invoice.invoiceCode?.value ?? null;
  const number = invoice.invoiceNumber?.value ?? null;
  const key = code !== null && number !== null && INVOICE_KEY.test(code) && INVOICE_KEY.test(number) ? { code, number } : null;
  const holder = key
    ? await client.query<{ claim_id: string }>('SELECT claim_id::text FROM invoice_claims WHERE invoice_code = $1 AND invoice_number = $2 AND claim_id <> $3', [key.code, key.number, facts.claim.claimId])
    : null;
  const hospitalId = invoice.hospital?.hospitalId ?? null;
  const visitDate = invoice.issueDate?.value ?? null;
  const credit = await creditContext(client, facts.claim.merchantId, visitDate && /^\d{4}-\d{2}-\d{2}$/.test(visitDate) ? visitDate : null);
  const checks = checkClaim({
    pages,
    corrections,
    enrolledName: facts.merchantName,
    hospital: hospitalId ? (facts.hospitals.byId(hospitalId) ?? null) : null,
    submittedAt: facts.claim.submittedAt,
    alreadyReimbursedByClaimId: holder?.rows[0]?.claim_id ?? null,
    // a signal for a person, never a rejection
    nearDuplicate: (await lookAlikePhotos(client, facts.claim, visitDate, rules.nearDuplicateMaxDistance, { approvedOnly: false }))[0] ?? null,
    photoReimbursedByClaimId: await photoHolder(client, facts.claim),
    earliestCreditCollectedAt: credit.firstCollectedAt,
    rules,
    issuer: facts.issuer ?? null,
  });
  const benefit = computeBenefit({
    invoice,
    balanceAtVisitDayEndFen: credit.availableAtEndOfDayFen,
    balanceNowFen: credit.availableNowFen,
    rules,
    ...(corrections.coveredFen === undefined ? {} : { reviewedCoveredFen: corrections.coveredFen }),
  });
  const findings = [...checks, ...benefit.findings];
  const decision = decideClaim(findings, benefit);
  return {
    findings,
    decision: decision.decision,
    reasonCodes: [...decision.reasonCodes],
    summary: { zh: decision.zh, en: decision.en },
    invoiceCode: key?.code ?? null,
    invoiceNumber: key?.number ?? null,
    visitDate: visitDate && /^\d{4}-\d{2}-\d{2}$/.test(visitDate) ? visitDate : null,
    hospitalId,
    coveredFen: benefit.coveredFen,
    benefitFen: benefit.benefitFen,
    rulesetId: ruleset.id,
  };
}
