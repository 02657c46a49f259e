/**
 * Whether a reviewer may approve, and how much at most, judged on the claim evaluated with the
 * reviewer's corrections (DESIGN.md §1: a reviewer is bound by the same rules). Pure: the route
 * gathers the evaluation, this says yes with a ceiling or no with a reason the reviewer can act on.
 * A reviewer decides the doubts a machine leaves; a certain failure, or a fact the amount rests on
 * that nobody supplied, refuses.
 */
import type { ReviewerCorrections } from './corrections.ts';
import type { ClaimEvaluation } from './evaluate.ts';
import type { ClaimFindingCode } from './findings.ts';

export type ReviewApproval =
  | { readonly ok: true; readonly ceilingFen: number }
  | { readonly ok: false; readonly status: 409 | 422; readonly code: string; readonly field: string | null; readonly message: string };

/** Doubts of the benefit that leave the covered charges unknown: the reviewer must read them. */
const COVERED_UNKNOWN: readonly ClaimFindingCode[] = ['payment_split_missing', 'payment_split_incomplete', 'payment_split_mismatch', 'no_items_read'];
/** Certain failures that say the money was paid before: a conflict, not a misreading. */
const PAID_BEFORE: readonly ClaimFindingCode[] = ['already_reimbursed', 'photo_already_reimbursed'];

const refuse = (status: 409 | 422, code: string, field: string | null, message: string): ReviewApproval => ({ ok: false, status, code, field, message });

export function reviewApproval(evaluation: Pick<ClaimEvaluation, 'findings' | 'invoiceCode' | 'invoiceNumber' | 'visitDate' | 'hospitalId' | 'benefitFen'>, corrections: ReviewerCorrections): ReviewApproval {
  if (evaluation.invoiceCode === null || evaluation.invoiceNumber === null) {
    return refuse(422, 'invoice_key_required', evaluation.invoiceCode === null ? 'invoiceCode' : 'invoiceNumber', 'the invoice code and number were not read: give invoiceCode and invoiceNumber as printed (each invoice is reimbursed once)');
  }
  if (evaluation.visitDate === null) return refuse(422, 'visit_date_required', 'visitDate', 'the visit date was not read: give visitDate (YYYY-MM-DD) as printed; the balance on that day limits the amount');
  if (evaluation.hospitalId === null) return refuse(422, 'hospital_required', 'hospitalId', 'the hospital was not matched to the registry: give hospitalId');
  const uncovered = evaluation.findings.find((f) => COVERED_UNKNOWN.includes(f.code));
  if (uncovered && corrections.coveredFen === undefined) {
    return refuse(422, 'covered_required', 'coveredFen', `the covered charges are not known (${uncovered.en}): give coveredFen, the covered items less what any fund paid`);
  }
  const failed = evaluation.findings.find((f) => f.outcome === 'fail' && f.ground === 'certain');
  if (failed) return PAID_BEFORE.includes(failed.code) ? refuse(409, failed.code, null, failed.en) : refuse(422, 'claim_not_eligible', null, `${failed.code}: ${failed.en}`);
  if (evaluation.benefitFen < 1) return refuse(422, 'nothing_to_reimburse', null, 'the rules allow nothing for this claim');
  return { ok: true, ceilingFen: evaluation.benefitFen };
}
