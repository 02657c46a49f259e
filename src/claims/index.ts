/** Claims to money: submission, the pipeline (recognise → check → decide → reserve → pay), review. */
export { claimRoutes, type ClaimsRouteOptions } from './routes.ts';
export { claimTasks, CLAIM_TASKS, type ClaimsRuntime } from './pipeline.ts';
export { ClaimWatch } from './live.ts';
export { getClaim, claimTimeline, CLAIM_CHANNEL, CLAIM_STATUSES, type Claim, type ClaimStatus } from './store.ts';
export { CLASSIC_2019_CLAIM_RULES, type ClaimRules } from './rules.ts';
export { claimRulesetRoutes, claimRulesetAt, CLAIM_RULESETS } from './rulesets.ts';
export { claimWorkerConnections, startClaimWorkers, type ClaimWorkers } from './workers.ts';
export { verificationSummary, listDeferredChecks, type ClaimVerification, type VerificationSummary, type DeferredCheck } from './verification-store.ts';
