/**
 * A reviewer's decision on an appeal, the parts the review desk adds to a first review's: who may
 * decide it, the words the merchant is told (the decision and the reviewer's reason), and the
 * outcome kept with the appeal. The decision itself goes the way a review's does (review-routes.ts).
 */
import type pg from 'pg';
import { ApiError } from '../http/errors.ts';
import { present } from '../shared/assert.ts';
import { appealDecisionRefusal } from './appeal-rules.ts';
import { getAppeal, recordAppealOutcome, type Appeal } from './appeal-store.ts';
import type { Claim } from './store.ts';

export interface AppealDecision {
  actorId: string;
  action: 'approve' | 'reject' | 'request_photo';
  reasonCode: string;
  messageToMerchant?: string | undefined;
}

/** The appeal of a claim in appeal_review, if `decision` may be taken on it; a 403/409/422 otherwise. */
export async function appealToDecide(client: pg.PoolClient, claim: Claim, decision: AppealDecision): Promise<Appeal & { messageToMerchant: string }> {
  const appeal = present(await getAppeal(client, claim.merchantId, claim.claimId), `the appeal of claim ${claim.claimId}, in appeal_review`);
  const refusal = appealDecisionRefusal(appeal, decision);
  if (refusal) throw new ApiError(refusal.status, refusal.code, refusal.message, refusal.field);
  return { ...appeal, messageToMerchant: present(decision.messageToMerchant, 'the reason told to the merchant') };
}

/** What the merchant reads when the appeal is upheld: the payment and the reviewer's reason. */
export function appealApprovedWords(reason: string): (yuan: string) => { zh: string; en: string } {
  return (yuan) => ({ zh: `申诉通过：已批准报销 ¥${yuan}，正在转账到您的账户。理由：${reason}`, en: `Appeal upheld: ¥${yuan} is being transferred to your wallet. Reason: ${reason}` });
}

/** The timeline event of an appeal refused: the claim stays refused, for the reviewer's reason. */
export function appealRejectedEvent(reason: string, details: Record<string, unknown>) {
  return { code: 'appeal_rejected', zh: `申诉未通过，维持原审核结果。理由：${reason}`, en: `Appeal refused; the refusal stands. Reason: ${reason}`, details };
}

export function recordAppealDecision(client: pg.PoolClient, appeal: Appeal & { messageToMerchant: string }, decision: AppealDecision, at: Date): Promise<void> {
  return recordAppealOutcome(client, appeal, {
    outcome: decision.action === 'approve' ? 'approved' : 'rejected',
    decidedBy: decision.actorId,
    decidedAt: at,
    reasonCode: decision.reasonCode,
    messageToMerchant: appeal.messageToMerchant,
  });
}
