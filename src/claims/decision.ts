/**
 * The machine's decision: approve only when every check passed on sure readings, reject only on a
 * certain and explainable ground, and leave everything else to a person. A doubt never rejects.
 */
import { formatFenAsYuan } from '../shared/money.ts';
import type { Benefit } from './benefit.ts';
import type { ClaimFinding, ClaimFindingCode } from './findings.ts';

export type ClaimDecisionKind = 'approve' | 'reject' | 'review';

export interface ClaimDecision {
  readonly decision: ClaimDecisionKind;
  /** Approve: none. Reject: the certain failures. Review: the failures and doubts (else the unsure passes). */
  readonly reasonCodes: readonly string[];
  /** One short sentence for the claim's timeline. */
  readonly zh: string;
  readonly en: string;
}

/**
 * The checks that must each have passed for an automatic approval. A check that could not run
 * (its input missing) leaves no pass behind, so a bug or a gap can only send a claim to review,
 * never approve it by silence.
 */
export const APPROVAL_REQUIRES: readonly ClaimFindingCode[] = [
  'one_invoice',
  'required_fields_present',
  'fields_confident',
  'cross_checks_pass',
  'hospital_in_registry',
  'hospital_grade_eligible',
  'hospital_ownership_eligible',
  'outpatient_bill',
  'no_excluded_care',
  'patient_is_merchant',
  'visit_in_window',
  'not_reimbursed_before',
  'no_near_duplicate_photo',
  'benefit_computed',
];

const unique = (codes: readonly string[]): string[] => [...new Set(codes)];
const isSurePass = (f: ClaimFinding): boolean => f.outcome === 'pass' && f.ground === 'certain';

function reject(certainFails: readonly ClaimFinding[]): ClaimDecision {
  return {
    decision: 'reject',
    reasonCodes: unique(certainFails.map((f) => f.code)),
    zh: `不予报销：${certainFails[0]!.zh}`,
    en: `Rejected: ${certainFails[0]!.en}`,
  };
}

/**
 * The reasons are the failures and doubts; passes on unsure readings only when there is nothing
 * else (they usually echo `low_confidence_fields`). Gaps are named only when nothing else is.
 */
function review(open: readonly ClaimFinding[], gaps: readonly string[]): ClaimDecision {
  const problems = open.filter((f) => f.outcome !== 'pass');
  const reasons = problems.length > 0 ? problems : open;
  const first = reasons[0];
  if (first) return { decision: 'review', reasonCodes: unique(reasons.map((f) => f.code)), zh: `转人工审核：${first.zh}`, en: `Sent to review: ${first.en}` };
  return {
    decision: 'review',
    reasonCodes: ['checks_incomplete'],
    zh: `转人工审核：检查结果不完整（${gaps.join('、')}）。`,
    en: `Sent to review: the checks are incomplete (${gaps.join(', ')}).`,
  };
}

/**
 * `findings` are checkClaim's; the benefit's own findings are taken from `benefit` (passing them
 * in both places changes nothing). A zero benefit arrives as a certain `no_credit` or
 * `nothing_to_reimburse` failure from computeBenefit and rejects like any certain failure.
 */
export function decideClaim(findings: readonly ClaimFinding[], benefit: Benefit): ClaimDecision {
  const all = [...new Set([...findings, ...benefit.findings])];
  const certainFails = all.filter((f) => f.outcome === 'fail' && f.ground === 'certain');
  if (certainFails.length > 0) return reject(certainFails);
  const open = all.filter((f) => !isSurePass(f));
  const passed = new Set(all.filter(isSurePass).map((f) => f.code));
  // A zero benefit with every check passed means the findings do not belong to this benefit.
  const gaps = [...APPROVAL_REQUIRES.filter((code) => !passed.has(code)), ...(benefit.benefitFen > 0 ? [] : ['benefit_fen'])];
  if (open.length > 0 || gaps.length > 0) return review(open, gaps);
  const yuan = formatFenAsYuan(benefit.benefitFen);
  return { decision: 'approve', reasonCodes: [], zh: `自动批准：报销 ${yuan} 元。`, en: `Approved automatically: ${yuan} CNY.` };
}
