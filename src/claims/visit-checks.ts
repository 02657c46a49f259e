/** The visit (the bill's issue date) lies within the claim window and inside the credit's validity. */
import { businessDay } from '../shared/business-day.ts';
import type { Invoice } from '../recognition/types.ts';
import { groundOf } from './confidence.ts';
import { finding, type ClaimFinding } from './findings.ts';
import type { ClaimRules } from './rules.ts';

const DAY_MS = 86_400_000;

function isCalendarDate(day: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) && new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) === day;
}

/** Whole days from `earlier` to `later`, both YYYY-MM-DD. */
function daysBetween(earlier: string, later: string): number {
  return Math.round((Date.parse(`${later}T00:00:00Z`) - Date.parse(`${earlier}T00:00:00Z`)) / DAY_MS);
}

/**
 * Days are Shanghai calendar days. The credit's validity starts on the day the merchant first
 * collected credit; its end needs no check here, because credit that had expired by the visit day
 * is not in the balance at the end of that day, which caps the benefit.
 */
export function visitChecks(invoice: Invoice, submittedAt: Date, earliestCreditCollectedAt: Date | null, rules: ClaimRules): ClaimFinding[] {
  if (!invoice.issueDate) return []; // `missing_fields` says so
  const visitDate = invoice.issueDate.value;
  if (!isCalendarDate(visitDate)) return [finding('visit_date_unreadable', 'uncertain', { visitDate })];
  const submittedDay = businessDay(submittedAt);
  const firstCreditDay = earliestCreditCollectedAt ? businessDay(earliestCreditCollectedAt) : null;
  const ageDays = daysBetween(visitDate, submittedDay);
  const ground = groundOf([invoice.issueDate.confidence], rules);
  const evidence = { visitDate, submittedDay, ageDays, maxAgeDays: rules.maxVisitAgeDays, firstCreditDay, confidence: invoice.issueDate.confidence };
  const found: ClaimFinding[] = [];
  if (ageDays < 0) found.push(finding('visit_in_future', ground, evidence));
  if (ageDays > rules.maxVisitAgeDays) found.push(finding('visit_too_old', ground, evidence));
  if (firstCreditDay === null || visitDate < firstCreditDay) found.push(finding('visit_before_credit', ground, evidence));
  return found.length > 0 ? found : [finding('visit_in_window', ground, evidence)];
}
