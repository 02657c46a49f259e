import { formatFenAsYuan } from '../shared/money.ts';
import type { Finding, Invoice } from './types.ts';

export interface CheckOptions {
  /** The moment of checking; dates are compared as calendar days in Asia/Shanghai. */
  readonly now: Date;
  /** Older invoices than this are implausible for a claim. */
  readonly maxAgeDays: number;
}

function finding(code: Finding['code'], outcome: Finding['outcome'], message: string): Finding {
  return { code, outcome, message };
}

function shanghaiDay(moment: Date): string {
  return new Date(moment.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

function isCalendarDate(iso: string): boolean {
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso;
}

function itemsSumToTotal(invoice: Invoice): Finding {
  if (invoice.items.length === 0 || !invoice.totalFen) return finding('items_sum_to_total', 'skipped', 'no line items or no total were read');
  const sum = invoice.items.reduce((s, i) => s + i.amountFen, 0);
  return sum === invoice.totalFen.value
    ? finding('items_sum_to_total', 'pass', `${invoice.items.length} items sum to ${formatFenAsYuan(sum)}`)
    : finding('items_sum_to_total', 'fail', `items sum to ${formatFenAsYuan(sum)}, the total says ${formatFenAsYuan(invoice.totalFen.value)}`);
}

function wordsEqualFigures(invoice: Invoice): Finding {
  if (!invoice.totalFen || !invoice.totalInWordsFen) return finding('words_equal_figures', 'skipped', 'the total in words or in figures was not read');
  return invoice.totalFen.value === invoice.totalInWordsFen.value
    ? finding('words_equal_figures', 'pass', `大写 and 小写 both say ${formatFenAsYuan(invoice.totalFen.value)}`)
    : finding('words_equal_figures', 'fail', `大写 says ${formatFenAsYuan(invoice.totalInWordsFen.value)}, 小写 says ${formatFenAsYuan(invoice.totalFen.value)}`);
}

function qrMatchesOcr(invoice: Invoice): Finding {
  const qr = invoice.qr;
  if (!qr || qr.format === 'opaque') return finding('qr_matches_ocr', 'skipped', qr ? 'the QR payload is not in a known format' : 'no QR code was decoded');
  const compared = (
    [
      ['invoice code', invoice.invoiceCode],
      ['invoice number', invoice.invoiceNumber],
      ['total', invoice.totalFen],
      ['issue date', invoice.issueDate],
      ['check code', invoice.checkCode],
    ] as const
  ).filter(([, f]) => f?.source === 'qr' && f.printed !== undefined && f.printed !== null);
  if (compared.length === 0) return finding('qr_matches_ocr', 'skipped', 'none of the QR fields was printed legibly');
  const differing = compared.filter(([, f]) => f!.printed !== f!.value).map(([name]) => name);
  return differing.length === 0
    ? finding('qr_matches_ocr', 'pass', `QR agrees on ${compared.map(([n]) => n).join(', ')}`)
    : finding('qr_matches_ocr', 'fail', `QR disagrees with the print on ${differing.join(', ')}`);
}

function datePlausible(invoice: Invoice, options: CheckOptions): Finding {
  if (!invoice.issueDate) return finding('date_plausible', 'skipped', 'no issue date was read');
  const date = invoice.issueDate.value;
  if (!isCalendarDate(date)) return finding('date_plausible', 'fail', `${date} is not a calendar date`);
  const today = shanghaiDay(options.now);
  if (date > today) return finding('date_plausible', 'fail', `${date} is in the future (today is ${today})`);
  const ageDays = Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${date}T00:00:00Z`)) / 86_400_000);
  return ageDays > options.maxAgeDays
    ? finding('date_plausible', 'fail', `${date} is ${ageDays} days old (at most ${options.maxAgeDays})`)
    : finding('date_plausible', 'pass', `issued ${ageDays} days ago`);
}

function hospitalKnown(invoice: Invoice): Finding {
  const h = invoice.hospital;
  if (!h) return finding('hospital_known', 'fail', 'no issuer name was read');
  return h.hospitalId
    ? finding('hospital_known', 'pass', `${h.printedName} is ${h.registryName} (${h.hospitalId})`)
    : finding('hospital_known', 'fail', `${h.printedName} is not in the hospital registry`);
}

function kindOutpatient(invoice: Invoice): Finding {
  return invoice.kind.value === 'outpatient'
    ? finding('kind_outpatient', 'pass', 'an outpatient bill')
    : finding('kind_outpatient', 'fail', `the document is ${invoice.kind.value === 'unknown' ? 'not a recognisable invoice' : `${/^[aeiou]/.test(invoice.kind.value) ? 'an' : 'a'} ${invoice.kind.value} invoice`}, not an outpatient bill`);
}

function paymentSplitSumsToTotal(invoice: Invoice): Finding {
  const parts = [invoice.payment.poolingFundFen, invoice.payment.personalAccountFen, invoice.payment.personalCashFen];
  if (!invoice.totalFen || parts.some((p) => p === null || p.source === 'derived')) {
    return finding('payment_split_sums_to_total', 'skipped', 'the payment split was not fully printed legibly');
  }
  const sum = parts.reduce((s, p) => s + p!.value, 0) + (invoice.payment.otherFundsFen?.value ?? 0);
  return sum === invoice.totalFen.value
    ? finding('payment_split_sums_to_total', 'pass', `统筹, 个人账户, 现金 and other funds sum to ${formatFenAsYuan(sum)}`)
    : finding('payment_split_sums_to_total', 'fail', `the payment split sums to ${formatFenAsYuan(sum)}, the total says ${formatFenAsYuan(invoice.totalFen.value)}`);
}

/** The named cross-checks of one recognised invoice, always in the same order. */
export function checkInvoice(invoice: Invoice, options: CheckOptions): Finding[] {
  return [
    itemsSumToTotal(invoice),
    wordsEqualFigures(invoice),
    paymentSplitSumsToTotal(invoice),
    qrMatchesOcr(invoice),
    datePlausible(invoice, options),
    hospitalKnown(invoice),
    kindOutpatient(invoice),
  ];
}
