/**
 * Appeals (issue 27, part 3), the rules without I/O: a merchant contests a refusal once, within
 * APPEAL_WINDOW_DAYS of it; a reviewer other than the one who refused decides it, approving or
 * refusing with words for the merchant. The routes gather the facts; these say yes or why not.
 */
import type { Claim } from './store.ts';

/** An appeal is taken within 30 days of the refusal: long enough to find a better photo or the record, short enough that the visit is still checkable. */
export const APPEAL_WINDOW_DAYS = 30;
const DAY_MS = 86_400_000;

export interface AppealRefusal {
  readonly status: 403 | 409 | 422;
  readonly code: 'claim_not_rejected' | 'already_appealed' | 'appeal_too_late' | 'appeal_same_reviewer' | 'appeal_no_photo_request' | 'appeal_reason_required';
  readonly field: string;
  readonly message: string;
}

const refuse = (status: AppealRefusal['status'], code: AppealRefusal['code'], field: string, message: string): AppealRefusal => ({ status, code, field, message });

/**
 * The last day an appeal is taken: APPEAL_WINDOW_DAYS after the refusal. A rejected claim's row is not
 * changed after its refusal (rejected is final but for the appeal), so its updatedAt is the refusal's time.
 */
export function appealDeadline(claim: Pick<Claim, 'status' | 'updatedAt'>): Date | null {
  return claim.status === 'rejected' ? new Date(claim.updatedAt.getTime() + APPEAL_WINDOW_DAYS * DAY_MS) : null;
}

/** Why this claim cannot be appealed now (null: it can). `appealed`: the claim has an appeal already. */
export function appealRefusal(claim: Pick<Claim, 'status' | 'updatedAt'>, appealed: boolean, now: Date): AppealRefusal | null {
  if (appealed) return refuse(409, 'already_appealed', 'id', 'this claim was appealed already: a refusal is contested once');
  const deadline = appealDeadline(claim);
  if (deadline === null) return refuse(409, 'claim_not_rejected', 'id', `the claim is ${claim.status}: only a refused claim can be appealed`);
  if (now > deadline) return refuse(422, 'appeal_too_late', 'id', `an appeal is taken within ${APPEAL_WINDOW_DAYS} days of the refusal (until ${deadline.toISOString()})`);
  return null;
}

/**
 * Why `actorId` may not take this decision on an appeal (null: may). The one who refused the claim
 * never decides its appeal; an appeal is decided on the photos it brought (no new photo is asked
 * for); and the merchant is told why, in the reviewer's words.
 */
export function appealDecisionRefusal(
  appeal: { refusedBy: string },
  decision: { actorId: string; action: 'approve' | 'reject' | 'request_photo'; messageToMerchant?: string | undefined },
): AppealRefusal | null {
  if (decision.actorId === appeal.refusedBy) {
    return refuse(403, 'appeal_same_reviewer', 'id', 'you refused this claim: its appeal is decided by another reviewer');
  }
  if (decision.action === 'request_photo') {
    return refuse(409, 'appeal_no_photo_request', 'action', 'an appeal is decided on the photos it brought: approve or reject it');
  }
  if (decision.messageToMerchant === undefined) {
    return refuse(422, 'appeal_reason_required', 'messageToMerchant', 'the merchant is told why an appeal was decided so: give messageToMerchant');
  }
  return null;
}
