/**
 * Every check of a claim, pure: the caller gathers the facts (registry entry, earlier
 * reimbursement, look-alike photo, credit dates) and stores what comes back.
 */
import type { Hospital } from '../hospitals/record.ts';
import type { RecognitionResult } from '../recognition/types.ts';
import { nearDuplicateCheck, photoReimbursedCheck, reimbursedCheck, type NearDuplicate } from './duplicate-checks.ts';
import { correctInvoice, type ReviewerCorrections } from './corrections.ts';
import type { ClaimFinding } from './findings.ts';
import { exclusionChecks, hospitalChecks, kindCheck } from './hospital-checks.ts';
import { issuerChecks } from './issuer-checks.ts';
import { mergePages } from './merge.ts';
import { patientCheck } from './patient-check.ts';
import { confidentFields, crossChecks, oneInvoice, requiredFields } from './reading-checks.ts';
import type { ClaimRules } from './rules.ts';
import type { VerifyAnswer } from '../verification/index.ts';
import { visitChecks } from './visit-checks.ts';

export type { NearDuplicate } from './duplicate-checks.ts';

export interface ClaimCheckInput {
  /** The recognised pages of the claim's one invoice, in the merchant's order (1–6). */
  readonly pages: readonly RecognitionResult[];
  /** The merchant's enrolled legal name: the patient must be the merchant. */
  readonly enrolledName: string;
  /** The registry entry of the merged invoice's `hospital.hospitalId`; null when there is none. */
  readonly hospital: Hospital | null;
  readonly submittedAt: Date;
  /** The claim that already reimbursed this invoice code + number (from the unique key), or null. */
  readonly alreadyReimbursedByClaimId: string | null;
  /** The closest earlier photo, or null when no earlier photo is within reach. */
  readonly nearDuplicate: NearDuplicate | null;
  /** The claim already paid for one of this claim's photos (same content hash), or null. */
  readonly photoReimbursedByClaimId: string | null;
  /** When the merchant first collected credit; null when it never has. */
  readonly earliestCreditCollectedAt: Date | null;
  readonly rules: ClaimRules;
  /** What a reviewer supplied where the machine could not read; judged like any reading. */
  readonly corrections?: ReviewerCorrections;
  /** What the invoice's issuer answered (issuer-checks.ts); absent or null when it was not asked. */
  readonly issuer?: VerifyAnswer | null;
}

/** The findings of every check, in a fixed order; the benefit's own findings come from computeBenefit. */
export function checkClaim(input: ClaimCheckInput): ClaimFinding[] {
  const { rules } = input;
  const merged = mergePages(input.pages);
  const invoice = correctInvoice(merged.invoice, input.corrections ?? {});
  return [
    oneInvoice(merged),
    requiredFields(invoice),
    confidentFields(invoice, rules),
    ...crossChecks(invoice, input.submittedAt, rules),
    ...hospitalChecks(invoice, input.hospital, rules),
    kindCheck(invoice, rules),
    ...exclusionChecks(invoice, input.hospital, rules),
    ...patientCheck(invoice, input.enrolledName, rules),
    ...visitChecks(invoice, input.submittedAt, input.earliestCreditCollectedAt, rules),
    ...reimbursedCheck(invoice, input.alreadyReimbursedByClaimId, rules),
    nearDuplicateCheck(invoice, input.nearDuplicate, rules),
    ...photoReimbursedCheck(input.photoReimbursedByClaimId),
    ...issuerChecks(invoice, input.issuer ?? null, rules),
  ];
}
