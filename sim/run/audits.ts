/**
 * The simulated reviewer of paid claims drawn for audit (docs/claims.md "Audits after payment"): it
 * knows what each claim was (sim_claims.kind), so a forged claim that was paid is found overpaid in
 * full and a legitimate one confirmed, through the product's own decision (recovery and message
 * included). Audits are decided oldest drawn first, one transaction each: the same seed, the same books.
 */
import { decideAudit, listPendingAudits, type AuditDecision, type OverpaidReason } from '../../src/audits/index.ts';
import type { ClaimKind } from '../world/claims.ts';
import { checkStop, type SimContext } from './context.ts';

const PAGE = 100;

/** Why a forged claim should have paid nothing, in the reasons' words. */
const REASON_OF: Record<Exclude<ClaimKind, 'legit'>, { reasonCode: OverpaidReason; note: string | null }> = {
  duplicate: { reasonCode: 'other', note: '同一张票据重复报销 the same invoice claimed twice' },
  rephotographed: { reasonCode: 'other', note: '翻拍已报销的票据 a photo of an invoice already reimbursed' },
  tampered_total: { reasonCode: 'amount_misread', note: null },
  wrong_patient: { reasonCode: 'not_covered', note: '就诊人不是商户本人 the patient is not the merchant' },
  excluded_department: { reasonCode: 'excluded_items', note: null },
  excluded_diagnosis: { reasonCode: 'excluded_items', note: null },
};

function decisionFor(kind: ClaimKind): AuditDecision {
  return kind === 'legit' ? { outcome: 'confirmed' } : { outcome: 'overpaid', dueFen: 0, ...REASON_OF[kind] };
}

/** Decides every audit waiting; returns how many. */
export async function auditPhase(ctx: SimContext, day: number): Promise<number> {
  let decided = 0;
  for (;;) {
    const page = await listPendingAudits(ctx.pool, { limit: PAGE });
    if (page.length === 0) return decided;
    const { rows } = await ctx.pool.query<{ claim_id: string; kind: ClaimKind }>('SELECT claim_id::text, kind FROM sim_claims WHERE claim_id = ANY($1::uuid[])', [page.map((a) => a.claimId)]);
    const kinds = new Map(rows.map((r) => [r.claim_id, r.kind]));
    for (const audit of page) {
      checkStop(ctx, day, 'audits');
      await decideAudit(ctx.pool, audit, decisionFor(kinds.get(audit.claimId) ?? 'legit'), { actorKind: 'system', actorId: 'simulated-reviewer', now: ctx.clock.now });
      decided += 1;
    }
  }
}
