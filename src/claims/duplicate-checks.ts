/** Each invoice is reimbursed once across all merchants; a look-alike photo is a hint for a person. */
import type { Invoice } from '../recognition/types.ts';
import { groundOf } from './confidence.ts';
import { finding, type ClaimFinding } from './findings.ts';
import type { ClaimRules } from './rules.ts';

/** The earlier claim whose first photo is closest to this claim's (pHash Hamming distance). */
export interface NearDuplicate {
  readonly claimId: string;
  readonly distance: number;
  /**
   * What that claim's invoice said, when the caller knows it. Bills of one hospital share a
   * template and often hash alike, so a look-alike with another total or visit date is a sibling,
   * not a copy; unknown (omitted or null) counts as the same.
   */
  readonly totalFen?: number | null;
  readonly visitDate?: string | null;
  readonly invoiceNumber?: string | null;
}

/**
 * The caller finds the earlier reimbursement by the invoice's unique key (code + number). A wrong
 * reading could point at someone else's invoice, so the match is certain only when both were read surely.
 */
export function reimbursedCheck(invoice: Invoice, alreadyReimbursedByClaimId: string | null, rules: ClaimRules): ClaimFinding[] {
  const evidence = { invoiceCode: invoice.invoiceCode?.value ?? null, invoiceNumber: invoice.invoiceNumber?.value ?? null, otherClaimId: alreadyReimbursedByClaimId };
  const ground = groundOf([invoice.invoiceCode?.confidence, invoice.invoiceNumber?.confidence], rules);
  if (alreadyReimbursedByClaimId !== null) return [finding('already_reimbursed', ground, evidence)];
  // Without a code and number there was no key to look up; `missing_fields` says so.
  if (!invoice.invoiceCode || !invoice.invoiceNumber) return [];
  return [finding('not_reimbursed_before', ground, evidence)];
}

/**
 * A photo paid for once is never paid again (its content hash is held from the approval on). The
 * same bytes are the same photo, so the match is certain whatever was read from it; only a hit is
 * told, the hold at approval (approveClaim) being what guarantees it.
 */
export function photoReimbursedCheck(photoReimbursedByClaimId: string | null): ClaimFinding[] {
  return photoReimbursedByClaimId === null ? [] : [finding('photo_already_reimbursed', 'certain', { otherClaimId: photoReimbursedByClaimId })];
}

function sameOrUnknown<T>(theirs: T | null | undefined, ours: T | null | undefined): boolean {
  return theirs === null || theirs === undefined || ours === null || ours === undefined || theirs === ours;
}

/**
 * At approval, a look-alike of a photo already approved for the same visit day is taken for a copy
 * unless the totals read differ: a misread invoice number must not make a re-photographed copy pass
 * for a sibling bill. Unknown totals count as the same.
 */
export function isCopyOfApprovedPhoto(lookAlike: NearDuplicate, totalFen: number | null): boolean {
  return sameOrUnknown(lookAlike.totalFen, totalFen);
}

/** Never a rejection: a look-alike photo only sends the claim to a person. */
export function nearDuplicateCheck(invoice: Invoice, nearest: NearDuplicate | null, rules: ClaimRules): ClaimFinding {
  if (!nearest) return finding('no_near_duplicate_photo', 'certain', { otherClaimId: null, distance: null });
  const sameContent =
    sameOrUnknown(nearest.totalFen, invoice.totalFen?.value) && sameOrUnknown(nearest.visitDate, invoice.issueDate?.value) && sameOrUnknown(nearest.invoiceNumber, invoice.invoiceNumber?.value);
  const evidence = { otherClaimId: nearest.claimId, distance: nearest.distance, maxDistance: rules.nearDuplicateMaxDistance, sameContent };
  const near = nearest.distance <= rules.nearDuplicateMaxDistance && sameContent;
  return finding(near ? 'near_duplicate_photo' : 'no_near_duplicate_photo', 'certain', evidence);
}
