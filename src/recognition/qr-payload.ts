import { parseYuanToFen } from '../shared/money.ts';

/** A decoded QR code: the VAT e-invoice layout or the fiscal e-bill `d=` form when it parses, otherwise the raw text only. */
export type QrPayload =
  | {
      readonly format: 'fiscal';
      readonly raw: string;
      /** 票据代码, 8 digits */
      readonly invoiceCode: string;
      /** 票据号码, 10 digits */
      readonly invoiceNumber: string;
      /** 校验码 */
      readonly checkCode: string;
      /** Null when the code carries no amount (a common variant). */
      readonly amountFen: number | null;
      /** YYYY-MM-DD */
      readonly issueDate: string;
    }
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

function isoDate(yyyymmdd: string): string | null {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(yyyymmdd);
  if (!match) return null;
  const iso = `${match[1]}-${match[2]}-${match[3]}`;
  const day = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === iso ? iso : null;
}

/**
 * Fiscal e-bill verification URL (or bare query): its `d` parameter reads
 * `<票据代码>_<票据号码>_<校验码>_<金额>_<开票日期 yyyymmdd>`, sometimes without the amount; the
 * signature parameters beside it are not ours to check.
 */
function parseFiscal(raw: string): QrPayload | null {
  const param = /(?:^|[?&])d=([^&#\s]+)/.exec(raw.trim());
  if (!param) return null;
  let value: string;
  try {
    value = decodeURIComponent(param[1]!);
  } catch {
    return null;
  }
  const parts = value.split('_');
  if (parts.length !== 4 && parts.length !== 5) return null;
  const [invoiceCode, invoiceNumber, checkCode] = parts as [string, string, string];
  const amountFen = parts.length === 5 ? parseYuanToFen(parts[3]!) : null;
  const issueDate = isoDate(parts.at(-1)!);
  if (!/^\d{8}$/.test(invoiceCode) || !/^\d{10}$/.test(invoiceNumber) || !/^[0-9A-Za-z]{6}$/.test(checkCode) || issueDate === null) return null;
  if (parts.length === 5 && (amountFen === null || amountFen < 0)) return null;
  return { format: 'fiscal', raw, invoiceCode, invoiceNumber, checkCode, amountFen, issueDate };
}

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
  return parseFiscal(raw) ?? { format: 'opaque', raw };
}
