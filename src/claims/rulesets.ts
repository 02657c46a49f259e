import type pg from 'pg';
import { loadRulesets, rulesetAt, rulesetRoutes, type RulesetKind, type RulesetVersion } from '../points/index.ts';
import { ClaimRulesSchema, claimRulesProblem, type ClaimRules } from './rules.ts';

export const CLAIM_RULESETS: RulesetKind<ClaimRules> = { kind: 'claims', problem: claimRulesProblem };

/**
 * The claims ruleset in force at an instant (a claim's submission): a claim is judged by the rules
 * its merchant submitted under, whenever a machine or a person decides it.
 */
export async function claimRulesetAt(db: Pick<pg.Pool, 'query'> | pg.PoolClient, at: Date): Promise<RulesetVersion<ClaimRules>> {
  return rulesetAt(await loadRulesets(db, CLAIM_RULESETS), at);
}

/** The claims rulesets' versions, listed and published as accrual's are (whether or not this process takes claims). */
export const claimRulesetRoutes = rulesetRoutes({ path: '/v1/claim-rulesets', of: CLAIM_RULESETS, paramsSchema: ClaimRulesSchema, tag: 'claims', governs: 'claims submitted' });
