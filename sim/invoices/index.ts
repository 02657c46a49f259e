export type { InvoiceLayout, InvoiceTruth, TruthItem, TruthKind } from './content.ts';
export { INVOICE_VARIANTS, type InvoiceVariant } from './degrade.ts';
export { generateInvoice, INVOICE_LAYOUTS, type GeneratedInvoice, type GenerateOptions } from './generate.ts';
export { scoreInvoice, type FieldScore } from './score.ts';
export { generateInvoicePdf, type GeneratedPdf, type PdfOptions } from './pdf.ts';
