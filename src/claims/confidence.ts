import type { ClaimRules } from './rules.ts';
import type { FindingGround } from './findings.ts';

/** Certain when every reading it rests on is at least as sure as the rules ask. */
export function groundOf(confidences: readonly (number | null | undefined)[], rules: ClaimRules): FindingGround {
  return confidences.every((c) => typeof c === 'number' && c >= rules.minConfidence) ? 'certain' : 'uncertain';
}
