/** Checks of the reading itself: one invoice, every field there, read surely, consistent. */
import { checkInvoice } from '../recognition/checks.ts';
import type { Field, FindingCode, Invoice } from '../recognition/types.ts';
import { finding, type ClaimFinding, type ClaimFindingCode, type Evidence } from './findings.ts';
import type { MergedPages } from './merge.ts';
import type { ClaimRules } from './rules.ts';

export function oneInvoice(merged: MergedPages): ClaimFinding {
  const several = merged.invoiceCodes.length > 1 || merged.invoiceNumbers.length > 1 || merged.kinds.length > 1;
  const evidence = { pages: merged.pageCount, invoiceCodes: merged.invoiceCodes.join(', '), invoiceNumbers: merged.invoiceNumbers.join(', '), kinds: merged.kinds.join(', ') };
  return finding(several ? 'several_invoices' : 'one_invoice', 'certain', evidence);
}

export function requiredFields(invoice: Invoice): ClaimFinding {
  const required: [string, unknown][] = [
    ['invoice_code', invoice.invoiceCode],
    ['invoice_number', invoice.invoiceNumber],
    ['issue_date', invoice.issueDate],
    ['total', invoice.totalFen],
    ['payer_name', invoice.payerName],
    ['hospital', invoice.hospital],
  ];
  const missing = required.filter(([, value]) => value === null).map(([name]) => name);
  return missing.length === 0 ? finding('required_fields_present', 'certain', {}) : finding('missing_fields', 'uncertain', { missing: missing.join(', ') });
}

/**
 * Every reading the decision rests on. A payment part derived from the others (the seal hid it)
 * is left out: it is exactly as sure as the parts it came from, which are listed themselves.
 */
function readings(invoice: Invoice): [string, number][] {
  const fields: [string, Field<unknown> | null][] = [
    ['kind', invoice.kind],
    ['invoice_code', invoice.invoiceCode],
    ['invoice_number', invoice.invoiceNumber],
    ['issue_date', invoice.issueDate],
    ['payer_name', invoice.payerName],
    ['total', invoice.totalFen],
    ['pooling_fund', invoice.payment.poolingFundFen],
    ['personal_account', invoice.payment.personalAccountFen],
    ['personal_cash', invoice.payment.personalCashFen],
    ['other_funds', invoice.payment.otherFundsFen ?? null],
    ['department', invoice.department ?? null],
    ['diagnosis', invoice.diagnosis ?? null],
  ];
  return [
    ...fields.filter(([, f]) => f !== null && f.source !== 'derived').map(([name, f]): [string, number] => [name, f!.confidence]),
    ...(invoice.hospital ? [['hospital', invoice.hospital.confidence] as [string, number]] : []),
    ...invoice.items.map((item): [string, number] => [`item ${item.name}`, item.confidence]),
  ];
}

export function confidentFields(invoice: Invoice, rules: ClaimRules): ClaimFinding {
  const weak = readings(invoice).filter(([, confidence]) => confidence < rules.minConfidence);
  if (weak.length === 0) return finding('fields_confident', 'certain', { minConfidence: rules.minConfidence });
  const fields = weak.map(([name, confidence]) => `${name} ${confidence.toFixed(2)}`).join(', ');
  return finding('low_confidence_fields', 'uncertain', { fields, minConfidence: rules.minConfidence });
}

function qrEvidence(invoice: Invoice): Evidence {
  const compared: [string, Field<string | number> | null][] = [
    ['invoiceCode', invoice.invoiceCode],
    ['invoiceNumber', invoice.invoiceNumber],
    ['totalFen', invoice.totalFen],
    ['issueDate', invoice.issueDate],
    ['checkCode', invoice.checkCode],
  ];
  const differing = compared.filter(([, f]) => f?.source === 'qr' && f.printed !== undefined && f.printed !== null && f.printed !== f.value);
  return {
    fields: differing.map(([name]) => name).join(', '),
    ...Object.fromEntries(differing.flatMap(([name, f]) => [[`${name}Qr`, f!.value], [`${name}Printed`, f!.printed ?? null]])),
  };
}

function crossCheckEvidence(code: FindingCode, invoice: Invoice): Evidence {
  const total = invoice.totalFen?.value ?? null;
  const p = invoice.payment;
  switch (code) {
    case 'items_sum_to_total':
      return { itemsSumFen: invoice.items.reduce((s, i) => s + i.amountFen, 0), totalFen: total, items: invoice.items.length };
    case 'words_equal_figures':
      return { wordsFen: invoice.totalInWordsFen?.value ?? null, figuresFen: total };
    case 'payment_split_sums_to_total': {
      const parts = [p.poolingFundFen, p.personalAccountFen, p.personalCashFen, p.otherFundsFen].map((f) => f?.value ?? 0);
      const splitSumFen = parts.reduce((sum, fen) => sum + fen, 0);
      return { poolingFundFen: parts[0]!, personalAccountFen: parts[1]!, personalCashFen: parts[2]!, otherFundsFen: parts[3]!, splitSumFen, totalFen: total };
    }
    default:
      return qrEvidence(invoice);
  }
}

/** The recogniser's cross-checks that bear on money; its date, hospital and kind checks are redone with the claim's rules. */
const CROSS_CHECKS: Partial<Record<FindingCode, ClaimFindingCode>> = {
  items_sum_to_total: 'items_sum_mismatch',
  words_equal_figures: 'words_figures_mismatch',
  qr_matches_ocr: 'qr_mismatch',
  payment_split_sums_to_total: 'payment_split_mismatch',
};

/**
 * Rerun on the merged invoice rather than taken from each page: a bill's items can run over two
 * pages, so a page's own item sum would fail where the whole invoice adds up.
 */
export function crossChecks(invoice: Invoice, submittedAt: Date, rules: ClaimRules): ClaimFinding[] {
  const results = checkInvoice(invoice, { now: submittedAt, maxAgeDays: rules.maxVisitAgeDays }).filter((f) => f.code in CROSS_CHECKS);
  const failed = results.filter((f) => f.outcome === 'fail');
  if (failed.length > 0) return failed.map((f) => finding(CROSS_CHECKS[f.code]!, 'uncertain', crossCheckEvidence(f.code, invoice)));
  return [finding('cross_checks_pass', 'certain', Object.fromEntries(results.map((f) => [f.code, f.outcome])))];
}
