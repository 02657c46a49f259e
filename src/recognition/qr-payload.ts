import { parseYuanToFen } from './money.ts';

/** A decoded QR code: the VAT e-invoice layout when it parses, otherwise the raw text only. */
export type QrPayload =
  | {
      readonly format: 'vat';
      readonly raw: string;
      readonly invoiceType: string;
      readonly invoiceCode: string;
      readonly invoiceNumber: string;
      readonly amountFen: number;
      /** YYYY-MM-DD */
      readonly issueDate: string;
      readonly checkCode: string;
    }
  | { readonly format: 'opaque'; readonly raw: string };

/**
 * VAT e-invoice QR: `01,type,code,number,amount,YYYYMMDD,check,crc`. Fully electronic invoices
 * (全电) leave the code empty and carry a 20-digit number; fiscal bills that reuse the layout carry
 * an 8-digit code. All are accepted.
 */
export function parseQrPayload(raw: string): QrPayload {
  const parts = raw.trim().split(',');
  if (parts.length >= 7 && parts[0] === '01') {
    const [, invoiceType, invoiceCode, invoiceNumber, amount, date, checkCode] = parts as [string, string, string, string, string, string, string];
    const amountFen = parseYuanToFen(amount);
    const dateMatch = /^(\d{4})(\d{2})(\d{2})$/.exec(date);
    if (/^\d{2}$/.test(invoiceType) && /^(\d{8,12})?$/.test(invoiceCode) && /^\d{8,20}$/.test(invoiceNumber) && amountFen !== null && dateMatch) {
      return {
        format: 'vat',
        raw,
        invoiceType,
        invoiceCode,
        invoiceNumber,
        amountFen,
        issueDate: `${dateMatch[1]}-${dateMatch[2]}-${dateMatch[3]}`,
        checkCode,
      };
    }
  }
  return { format: 'opaque', raw };
}
