/**
 * What a reviewer supplies where the machine could not read (DESIGN.md §1: a reviewer is bound by
 * the same rules). The corrected invoice is judged by the very checks an automatic decision runs;
 * a correction is a reading the reviewer vouches for, so it counts as sure.
 */
import type { Hospital } from '../hospitals/record.ts';
import type { Field, Invoice } from '../recognition/types.ts';

export interface ReviewerCorrections {
  readonly invoiceCode?: string;
  readonly invoiceNumber?: string;
  /** YYYY-MM-DD, the issue date printed on the bill. */
  readonly visitDate?: string;
  /** A registry entry (the caller resolved it); its name stands for the printed issuer. */
  readonly hospital?: Hospital;
  /** Covered charges as the reviewer reads them; never more than what the patient paid (computeBenefit). */
  readonly coveredFen?: number;
}

const vouched = <T>(value: T): Field<T> => ({ value, confidence: 1, source: 'reviewer' });

export function correctInvoice(invoice: Invoice, corrections: ReviewerCorrections): Invoice {
  const { invoiceCode, invoiceNumber, visitDate, hospital } = corrections;
  return {
    ...invoice,
    invoiceCode: invoiceCode === undefined ? invoice.invoiceCode : vouched(invoiceCode),
    invoiceNumber: invoiceNumber === undefined ? invoice.invoiceNumber : vouched(invoiceNumber),
    issueDate: visitDate === undefined ? invoice.issueDate : vouched(visitDate),
    hospital:
      hospital === undefined
        ? invoice.hospital
        : { printedName: invoice.hospital?.printedName ?? hospital.name, hospitalId: hospital.id, registryName: hospital.name, similarity: 1, confidence: 1 },
  };
}
