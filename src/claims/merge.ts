/**
 * A claim is for one invoice photographed on 1–6 pages (a long bill, or a bill and its item list):
 * the pages are read one by one and merged here into the invoice the checks judge.
 */
import type { Field, HospitalField, Invoice, InvoiceKind, LineItem, RecognitionResult } from '../recognition/types.ts';

export interface MergedPages {
  readonly invoice: Invoice;
  readonly pageCount: number;
  /** Distinct values read across the pages; more than one of either means several invoices. */
  readonly invoiceCodes: readonly string[];
  readonly invoiceNumbers: readonly string[];
  /** Distinct kinds other than `unknown` (an item list page reads as unknown). */
  readonly kinds: readonly InvoiceKind[];
}

function first<T>(values: readonly (T | null)[]): T | null {
  return values.find((v) => v !== null) ?? null;
}

function distinct<T>(values: readonly (T | null | undefined)[]): T[] {
  return [...new Set(values.filter((v): v is T => v !== null && v !== undefined))];
}

/** A page that matched the registry names the hospital better than one that only printed a name. */
function hospitalOf(invoices: readonly Invoice[]): HospitalField | null {
  return invoices.find((i) => i.hospital?.hospitalId)?.hospital ?? first(invoices.map((i) => i.hospital));
}

function kindOf(invoices: readonly Invoice[]): Field<InvoiceKind> {
  return invoices.find((i) => i.kind.value !== 'unknown')?.kind ?? invoices[0]!.kind;
}

/** Header fields from the first page that has them; items of every page in order. */
export function mergePages(pages: readonly RecognitionResult[]): MergedPages {
  if (pages.length === 0) throw new RangeError('a claim has at least one page');
  const invoices = pages.map((p) => p.invoice);
  const pick = <K extends keyof Invoice>(key: K): Invoice[K] => first(invoices.map((i) => i[key])) as Invoice[K];
  const items: LineItem[] = invoices.flatMap((i) => i.items);
  const invoice: Invoice = {
    kind: kindOf(invoices),
    province: pick('province'),
    invoiceCode: pick('invoiceCode'),
    invoiceNumber: pick('invoiceNumber'),
    checkCode: pick('checkCode'),
    issueDate: pick('issueDate'),
    payerName: pick('payerName'),
    outpatientNumber: pick('outpatientNumber'),
    hospital: hospitalOf(invoices),
    insuranceType: pick('insuranceType'),
    department: first(invoices.map((i) => i.department ?? null)),
    diagnosis: first(invoices.map((i) => i.diagnosis ?? null)),
    items,
    totalFen: pick('totalFen'),
    totalInWordsFen: pick('totalInWordsFen'),
    payment: {
      poolingFundFen: first(invoices.map((i) => i.payment.poolingFundFen)),
      personalAccountFen: first(invoices.map((i) => i.payment.personalAccountFen)),
      personalCashFen: first(invoices.map((i) => i.payment.personalCashFen)),
      otherFundsFen: first(invoices.map((i) => i.payment.otherFundsFen ?? null)),
    },
    qr: pick('qr'),
    confidence: Math.min(...invoices.map((i) => i.confidence)),
  };
  return {
    invoice,
    pageCount: pages.length,
    invoiceCodes: distinct(invoices.map((i) => i.invoiceCode?.value)),
    invoiceNumbers: distinct(invoices.map((i) => i.invoiceNumber?.value)),
    kinds: distinct(invoices.map((i) => (i.kind.value === 'unknown' ? null : i.kind.value))),
  };
}
