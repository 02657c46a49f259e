import type { Invoice } from '../../src/recognition/types.ts';
import type { InvoiceTruth } from './content.ts';

export interface FieldScore {
  readonly field: string;
  readonly correct: boolean;
  readonly expected: unknown;
  readonly actual: unknown;
}

function itemKey(i: { name: string; category: string; amountFen: number }): string {
  return `${i.name}|${i.category}|${i.amountFen}`;
}

/** Field-by-field comparison of a recognised invoice with the truth; fields the invoice does not print are not scored. */
export function scoreInvoice(truth: InvoiceTruth, invoice: Invoice): FieldScore[] {
  const scores: FieldScore[] = [];
  const score = (field: string, expected: unknown, actual: unknown): void => {
    if (expected !== null) scores.push({ field, correct: expected === actual, expected, actual });
  };
  score('kind', truth.kind, invoice.kind.value);
  score('province', truth.province, invoice.province?.value ?? null);
  score('invoiceCode', truth.invoiceCode, invoice.invoiceCode?.value ?? null);
  score('invoiceNumber', truth.invoiceNumber, invoice.invoiceNumber?.value ?? null);
  score('checkCode', truth.checkCode, invoice.checkCode?.value ?? null);
  score('issueDate', truth.issueDate, invoice.issueDate?.value ?? null);
  score('payerName', truth.payerName, invoice.payerName?.value ?? null);
  score('outpatientNumber', truth.outpatientNumber, invoice.outpatientNumber?.value ?? null);
  if (truth.hospitalId) score('hospital', truth.hospitalId, invoice.hospital?.hospitalId ?? null);
  else score('hospital', truth.issuerName, invoice.hospital?.printedName ?? null);
  score('insuranceType', truth.insuranceType, invoice.insuranceType?.value ?? null);
  score('items', truth.items.map(itemKey).sort().join(';'), [...invoice.items].map(itemKey).sort().join(';'));
  score('totalFen', truth.totalFen, invoice.totalFen?.value ?? null);
  if (truth.kind !== 'pharmacy') score('totalInWordsFen', truth.totalFen, invoice.totalInWordsFen?.value ?? null);
  score('poolingFundFen', truth.payment.poolingFundFen, invoice.payment.poolingFundFen?.value ?? null);
  score('personalAccountFen', truth.payment.personalAccountFen, invoice.payment.personalAccountFen?.value ?? null);
  score('personalCashFen', truth.payment.personalCashFen, invoice.payment.personalCashFen?.value ?? null);
  return scores;
}
