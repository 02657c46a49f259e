import type { ChargeCategory } from './categories.ts';
import type { QrPayload } from './qr-payload.ts';
import type { PhotoQuality } from './quality.ts';

export type InvoiceKind = 'outpatient' | 'inpatient' | 'pharmacy' | 'vat' | 'unknown';

/** One recognised value with how sure the reader is of it (0–1) and where it came from. */
export interface Field<T> {
  readonly value: T;
  readonly confidence: number;
  /**
   * `derived`: computed from other fields (a payment part hidden by the seal, from the total and the other parts);
   * `reviewer`: supplied by a reviewer where the machine could not read (claims/corrections.ts).
   */
  readonly source: 'ocr' | 'pdf' | 'qr' | 'derived' | 'reviewer';
  /**
   * For a value taken from the QR code: what the print says (null: not legible), so that a
   * tampered or misread print stays visible next to the machine-readable value.
   */
  readonly printed?: T | null;
}

export interface LineItem {
  readonly name: string;
  /** The name as read, present when the drug catalogue corrected it (see drug-names.ts). */
  readonly printedName?: string;
  readonly category: ChargeCategory;
  readonly amountFen: number;
  readonly confidence: number;
}

export interface HospitalField {
  /** The issuer's name as read (seals can hide characters of it). */
  readonly printedName: string;
  /** The registry entry it matched; null when unknown or ambiguous. */
  readonly hospitalId: string | null;
  readonly registryName: string | null;
  readonly similarity: number;
  readonly confidence: number;
}

export interface PaymentSplit {
  /** 医保统筹基金支付 */
  readonly poolingFundFen: Field<number> | null;
  /** 个人账户支付 */
  readonly personalAccountFen: Field<number> | null;
  /** 个人现金支付 */
  readonly personalCashFen: Field<number> | null;
  /**
   * What every other fund paid, summed (其他基金支付, 其他支付, 大病保险, 公务员补助, 医疗救助, …):
   * insurers' money too, never the patient's. Null or absent when no such line is printed.
   */
  readonly otherFundsFen?: Field<number> | null;
}

export interface Invoice {
  readonly kind: Field<InvoiceKind>;
  readonly province: Field<string> | null;
  /** 票据代码, 8 digits. */
  readonly invoiceCode: Field<string> | null;
  /** 票据号码, 10 digits (pharmacy receipts: their own number). */
  readonly invoiceNumber: Field<string> | null;
  /** 校验码 */
  readonly checkCode: Field<string> | null;
  /** YYYY-MM-DD */
  readonly issueDate: Field<string> | null;
  /** 交款人 */
  readonly payerName: Field<string> | null;
  /** 门诊号 (住院号 on inpatient bills) */
  readonly outpatientNumber: Field<string> | null;
  readonly hospital: HospitalField | null;
  readonly insuranceType: Field<string> | null;
  /**
   * 科室 and 诊断 where the bill prints them: places excluded care shows. A label printed with no
   * legible value reads as '' at confidence 0 (present, unread), which no check may take for a pass.
   * Null or absent when not printed.
   */
  readonly department?: Field<string> | null;
  readonly diagnosis?: Field<string> | null;
  readonly items: readonly LineItem[];
  /** 金额合计（小写） */
  readonly totalFen: Field<number> | null;
  /** 金额合计（大写）, parsed */
  readonly totalInWordsFen: Field<number> | null;
  readonly payment: PaymentSplit;
  readonly qr: QrPayload | null;
  /** The weakest of the fields the programme relies on (kind, number, date, payer, hospital, total). */
  readonly confidence: number;
}

export type FindingCode =
  | 'items_sum_to_total'
  | 'words_equal_figures'
  | 'qr_matches_ocr'
  | 'date_plausible'
  | 'hospital_known'
  | 'kind_outpatient'
  | 'payment_split_sums_to_total';

export interface Finding {
  readonly code: FindingCode;
  /** `skipped` when the invoice lacks what the check compares (e.g. no QR, no items). */
  readonly outcome: 'pass' | 'fail' | 'skipped';
  readonly message: string;
}

export interface RecognitionTimings {
  readonly decodeMs: number;
  readonly qrMs: number;
  readonly ocrMs: number;
  readonly totalMs: number;
}

export interface RecognitionResult {
  readonly invoice: Invoice;
  readonly findings: readonly Finding[];
  /** `pdf_text`: read from a PDF's text layer, no OCR. */
  readonly source: 'ocr' | 'pdf_text';
  /**
   * How usable the photo is, measured before OCR; when it is not usable, no OCR ran and the
   * invoice is empty. Absent for PDFs.
   */
  readonly quality?: PhotoQuality;
  readonly timings: RecognitionTimings;
}
