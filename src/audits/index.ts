/** Paid claims audited by sample: the draw at payment, the reviewers' queue and decisions, recovery of overpayments, the statistics. */
export { auditDraw, samplePoint, type DrawnBecause } from './sampling.ts';
export { auditStatistics, wilsonInterval, Z_95, type AuditCounts, type AuditStatistics, type Interval } from './statistics.ts';
export { OVERPAID_REASONS, OVERPAID_REASON_CODES, overpaidText, type OverpaidReason } from './reasons.ts';
export { auditCounts, decideAudit, drawAudit, drawForVerification, getAudit, listPendingAudits, AuditRefused, type AuditDecision, type AuditQueueItem, type ClaimAudit } from './store.ts';
export { auditRoutes } from './routes.ts';
