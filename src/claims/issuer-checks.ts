/**
 * The invoice against its issuer's record (src/verification), pure: the caller asks the issuer (or
 * finds the answer cached) and hands the answer in. Verified is a certain pass; a total or issue date
 * the issuer contradicts fails, certain when the contradicted reading was sure (then it rejects) and
 * otherwise for a person; a bill the issuer does not know goes to a person (a misread number looks the
 * same); no answer decides without the issuer, and the claim is checked after payment.
 */
import type { Invoice } from '../recognition/types.ts';
import type { UnavailableReason, VerifyAnswer, VerifyRequest } from '../verification/index.ts';
import { groundOf } from './confidence.ts';
import { finding, type ClaimFinding } from './findings.ts';
import type { ClaimRules } from './rules.ts';

const UNAVAILABLE_WORDS: Readonly<Record<UnavailableReason, { zh: string; en: string }>> = {
  outage: { zh: '查验服务无法连接', en: 'the verification service could not be reached' },
  timeout: { zh: '查验服务没有及时答复', en: 'the verification service did not answer in time' },
  busy: { zh: '查验服务繁忙，结果未知', en: 'the verification service was busy and gave no verdict' },
  invalid_answer: { zh: '查验服务的答复无法识别', en: "the verification service's answer could not be read" },
  daily_limit: { zh: '这张票据今天的查验次数已用完', en: "today's checks of this bill are used up" },
};

/** What the platform needs, when the invoice shows it all in the platform's formats; else null (nothing to ask). */
export function issuerRequestOf(invoice: Invoice): VerifyRequest | null {
  const billCode = invoice.invoiceCode?.value;
  const billNumber = invoice.invoiceNumber?.value;
  const checkCode = invoice.checkCode?.value.slice(-6);
  const issueDate = invoice.issueDate?.value;
  const totalFen = invoice.totalFen?.value;
  if (billCode === undefined || billNumber === undefined || checkCode === undefined || issueDate === undefined || totalFen === undefined) return null;
  if (!/^\d{8}$/.test(billCode) || !/^\d{10}$/.test(billNumber) || !/^[0-9A-Za-z]{6}$/.test(checkCode) || !/^\d{4}-\d{2}-\d{2}$/.test(issueDate)) return null;
  return { billCode, billNumber, checkCode, issueDate, totalFen };
}

/** What was read of the two fields an issuer's record can contradict. */
export interface ReadTotalAndDate {
  totalFen: number | undefined;
  issueDate: string | undefined;
}

export const readOf = (invoice: Invoice): ReadTotalAndDate => ({ totalFen: invoice.totalFen?.value, issueDate: invoice.issueDate?.value });

/** The fields of a found bill the reading contradicts ('total', 'issue_date'), and those compared. */
export function comparedFields(read: ReadTotalAndDate, answer: Extract<VerifyAnswer, { kind: 'found' }>): { compared: string[]; mismatched: string[] } {
  const compared: string[] = [];
  const mismatched: string[] = [];
  if (answer.bill.totalFen !== undefined) {
    compared.push('total');
    if (read.totalFen !== answer.bill.totalFen) mismatched.push('total');
  }
  if (answer.bill.issueDate !== undefined) {
    compared.push('issue_date');
    if (read.issueDate !== answer.bill.issueDate) mismatched.push('issue_date');
  }
  return { compared: ['invoice_code', 'invoice_number', ...compared], mismatched };
}

/** `answer` null: the issuer was not asked (verification off, or nothing the platform could be asked with). */
export function issuerChecks(invoice: Invoice, answer: VerifyAnswer | null, rules: ClaimRules): ClaimFinding[] {
  if (answer === null) return [];
  const key = { invoiceCode: invoice.invoiceCode?.value ?? null, invoiceNumber: invoice.invoiceNumber?.value ?? null };
  if (answer.kind === 'not_found') return [finding('issuer_unknown_bill', 'certain', key)];
  if (answer.kind === 'unavailable') {
    const words = UNAVAILABLE_WORDS[answer.reason];
    return [finding('issuer_check_deferred', 'certain', { reason: answer.reason, reasonZh: words.zh, reasonEn: words.en })];
  }
  const { compared, mismatched } = comparedFields(readOf(invoice), answer);
  if (mismatched.length === 0) return [finding('issuer_verified', 'certain', { ...key, compared: compared.join(', ') })];
  return [
    ...(mismatched.includes('total')
      ? [finding('issuer_amount_mismatch', groundOf([invoice.totalFen?.confidence], rules), { issuerFen: answer.bill.totalFen ?? null, readFen: invoice.totalFen?.value ?? null })]
      : []),
    ...(mismatched.includes('issue_date')
      ? [finding('issuer_date_mismatch', groundOf([invoice.issueDate?.confidence], rules), { issuerDate: answer.bill.issueDate ?? null, readDate: invoice.issueDate?.value ?? null })]
      : []),
  ];
}
