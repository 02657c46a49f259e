export type { InvoiceLayout, InvoiceTruth, TruthItem, TruthKind } from './content.ts';
export { INVOICE_VARIANTS, UNUSABLE_VARIANTS, type InvoiceVariant, type PhotoVariant, type UnusableVariant } from './degrade.ts';
export { generateInvoice, INVOICE_LAYOUTS, type GeneratedInvoice, type GenerateOptions } from './generate.ts';
export { scoreInvoice, type FieldScore } from './score.ts';
export { generateInvoicePdf, type GeneratedPdf, type PdfOptions } from './pdf.ts';
export { issuedBillOf } from './issued.ts';
