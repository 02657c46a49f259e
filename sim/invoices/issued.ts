/**
 * The issuer's record of a generated invoice, as the sandbox verification service keeps it: what the
 * hospital issued, which is what the items add up to even when the photo's total was tampered with.
 * Receipts without a fiscal code (pharmacy receipts) are not fiscal e-bills: nobody can verify them.
 */
import type { IssuedBill } from '../../src/verification/index.ts';
import type { InvoiceTruth } from './content.ts';

export function issuedBillOf(truth: InvoiceTruth): IssuedBill | null {
  if (truth.invoiceCode === null || truth.checkCode === null) return null;
  return {
    billCode: truth.invoiceCode,
    billNumber: truth.invoiceNumber,
    checkCode: truth.checkCode,
    issueDate: truth.issueDate,
    totalFen: truth.items.reduce((sum, item) => sum + item.amountFen, 0),
    payerName: truth.payerName,
    items: truth.items.map((item) => ({ name: item.name, amountFen: item.amountFen })),
  };
}
