import type { Invoice } from './types.ts';

/**
 * Whether a page shows an invoice: its kind was recognised, or any invoice field was read (code,
 * number, check code, total, issuer, items). A sheet whose title was misread or is not one the
 * recogniser knows is still an invoice when its fields were read: the checks judge it and, where
 * they cannot, a person looks, rather than the merchant being told to photograph it again.
 */
export function showsAnInvoice(invoice: Invoice): boolean {
  const fields = [invoice.invoiceCode, invoice.invoiceNumber, invoice.checkCode, invoice.totalFen, invoice.hospital];
  return invoice.kind.value !== 'unknown' || fields.some((f) => f !== null) || invoice.items.length > 0;
}
