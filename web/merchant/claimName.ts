import type { TFunction } from 'i18next';
import type { Claim } from '../shared/claim.ts';
import { yuan } from '../shared/money.ts';

/** A day (YYYY-MM-DD) in the reader's words: the day as printed, never shifted by a time zone. */
function dayWords(day: string, language: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString(language, { timeZone: 'UTC', year: 'numeric', month: 'long', day: 'numeric' });
}

/**
 * What a merchant calls a claim: the hospital and the day of the visit, as read from the invoice;
 * before anything is read, the day it was sent. Never a generic "claim progress".
 */
export function claimName(claim: Claim, t: TFunction, language: string): string {
  const { hospitalName, visitDate } = claim.invoice;
  const submitted = new Date(claim.submittedAt).toLocaleDateString(language, { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'long', day: 'numeric' });
  if (hospitalName && visitDate) return t('claim.name.visitAt', { hospital: hospitalName, date: dayWords(visitDate, language) });
  if (hospitalName) return t('claim.name.hospital', { hospital: hospitalName, date: submitted });
  if (visitDate) return t('claim.name.visit', { date: dayWords(visitDate, language) });
  return t('claim.name.submitted', { date: submitted });
}

/** The claim's money in one phrase: paid, to be paid, or (refused, or not judged yet) the invoice's total. */
export function claimMoney(claim: Claim, t: TFunction): string | null {
  if (claim.status === 'paid' && claim.paidFen !== null) return `${t('claim.paid')} ${yuan(claim.paidFen)}`;
  if (claim.benefitFen !== null) return `${t('claim.amount')} ${yuan(claim.benefitFen)}`;
  if (claim.arithmetic?.totalFen != null) return `${t('claim.invoiceTotal')} ${yuan(claim.arithmetic.totalFen)}`;
  return null;
}
