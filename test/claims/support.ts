/** Hand-built invoices, hospitals and claim inputs: expectations never come from the code under test. */
import type { ClaimCheckInput } from '../../src/claims/checks.ts';
import type { ClaimFinding } from '../../src/claims/findings.ts';
import { CLASSIC_2019_CLAIM_RULES } from '../../src/claims/rules.ts';
import type { Hospital } from '../../src/hospitals/record.ts';
import type { Field, Invoice, LineItem, RecognitionResult } from '../../src/recognition/types.ts';

export const rules = CLASSIC_2019_CLAIM_RULES;

export const ocr = <T>(value: T, confidence = 0.99): Field<T> => ({ value, confidence, source: 'ocr' });
export const item = (name: string, category: LineItem['category'], amountFen: number, confidence = 0.99): LineItem => ({ name, category, amountFen, confidence });

/** 2026-03-20 10:00 in Shanghai. */
export const SUBMITTED_AT = new Date('2026-03-20T10:00:00+08:00');

const hospital = (id: string, name: string, grade: Hospital['grade'], ownership: Hospital['ownership'], type: Hospital['type']): Hospital => ({
  id,
  name,
  aliases: [],
  province: '浙江省',
  city: '杭州市',
  grade,
  ownership,
  type,
});

export const HOSPITALS = {
  general3A: hospital('H1', '杭州市第一人民医院', '3A', 'public', 'general'),
  tcm2C: hospital('H2', '杭州市中医院', '2C', 'public', 'tcm'),
  community1A: hospital('H3', '杭州市某某社区卫生服务中心', '1A', 'public', 'community'),
  unrated: hospital('H4', '杭州某某诊所', 'unrated', 'public', 'general'),
  private2B: hospital('H5', '杭州某某民营医院', '2B', 'private', 'general'),
  maternity3A: hospital('H6', '杭州市妇产科医院', '3A', 'public', 'maternity'),
  dental2A: hospital('H7', '杭州市口腔医院', '2A', 'public', 'dental'),
  cosmeticPrivate: hospital('H8', '杭州某某医疗美容医院', 'unrated', 'private', 'cosmetic'),
} as const;

/**
 * A legitimate bill: 挂号费 10.00 + 西药费 113.45 = 123.45, of which the pooling fund paid 50.00,
 * the personal account 3.45 and cash 70.00, so the patient paid 73.45.
 */
export function invoice(overrides: Partial<Invoice> = {}): Invoice {
  return {
    kind: ocr('outpatient'),
    province: ocr('浙江省'),
    invoiceCode: ocr('33010126'),
    invoiceNumber: ocr('0012345678'),
    checkCode: ocr('a1b2c3'),
    issueDate: ocr('2026-03-18'),
    payerName: ocr('王芳'),
    outpatientNumber: ocr('20260318001'),
    hospital: { printedName: '杭州市第一人民医院', hospitalId: 'H1', registryName: '杭州市第一人民医院', similarity: 1, confidence: 0.99 },
    insuranceType: ocr('职工基本医疗保险'),
    items: [item('挂号费', 'registration', 1000), item('西药费', 'western_medicine', 11345)],
    totalFen: ocr(12345),
    totalInWordsFen: ocr(12345),
    payment: { poolingFundFen: ocr(5000), personalAccountFen: ocr(345), personalCashFen: ocr(7000) },
    qr: null,
    confidence: 0.99,
    ...overrides,
  };
}

export function page(inv: Invoice): RecognitionResult {
  return { invoice: inv, findings: [], source: 'ocr', timings: { decodeMs: 0, qrMs: 0, ocrMs: 0, totalMs: 0 } };
}

export function claimInput(overrides: Partial<ClaimCheckInput> = {}): ClaimCheckInput {
  return {
    pages: [page(invoice())],
    enrolledName: '王芳',
    hospital: HOSPITALS.general3A,
    submittedAt: SUBMITTED_AT,
    alreadyReimbursedByClaimId: null,
    nearDuplicate: null,
    photoReimbursedByClaimId: null,
    earliestCreditCollectedAt: new Date('2026-01-05T12:00:00+08:00'),
    rules,
    ...overrides,
  };
}

/** code → "outcome/ground"; several findings of one code keep the first. */
export function summary(findings: readonly ClaimFinding[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of findings) out[f.code] ??= `${f.outcome}/${f.ground}`;
  return out;
}
