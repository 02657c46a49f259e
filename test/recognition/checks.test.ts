import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkInvoice } from '../../src/recognition/checks.ts';
import type { Field, Finding, Invoice } from '../../src/recognition/types.ts';

const ocr = <T>(value: T): Field<T> => ({ value, confidence: 0.99, source: 'ocr' });
const now = new Date('2026-03-20T10:00:00+08:00');

function invoice(overrides: Partial<Invoice> = {}): Invoice {
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
    items: [
      { name: '挂号费', category: 'registration', amountFen: 1000, confidence: 0.99 },
      { name: '西药费', category: 'western_medicine', amountFen: 11345, confidence: 0.99 },
    ],
    totalFen: ocr(12345),
    totalInWordsFen: ocr(12345),
    payment: { poolingFundFen: ocr(5000), personalAccountFen: ocr(345), personalCashFen: ocr(7000) },
    qr: null,
    confidence: 0.99,
    ...overrides,
  };
}

function outcomes(findings: readonly Finding[]): Record<string, string> {
  return Object.fromEntries(findings.map((f) => [f.code, f.outcome]));
}

const options = { now, maxAgeDays: 365 };

test('a consistent outpatient bill passes every check it can make', () => {
  assert.deepEqual(outcomes(checkInvoice(invoice(), options)), {
    items_sum_to_total: 'pass', words_equal_figures: 'pass', payment_split_sums_to_total: 'pass', qr_matches_ocr: 'skipped', date_plausible: 'pass', hospital_known: 'pass', kind_outpatient: 'pass',
  });
});

test('a tampered total fails both the item sum and the words check', () => {
  const findings = outcomes(checkInvoice(invoice({ totalFen: ocr(92345) }), options));
  assert.equal(findings.items_sum_to_total, 'fail');
  assert.equal(findings.words_equal_figures, 'fail');
  assert.equal(findings.payment_split_sums_to_total, 'fail');
});

test('the QR code is compared with what is printed', () => {
  const qr = { format: 'vat' as const, raw: '…', invoiceType: '32', invoiceCode: '33010126', invoiceNumber: '0012345678', amountFen: 12345, issueDate: '2026-03-18', checkCode: 'a1b2c3' };
  const fromQr = <T>(value: T, printed: T | null): Field<T> => ({ value, confidence: 0.99, source: 'qr', printed });
  const agreeing = invoice({ qr, invoiceNumber: fromQr('0012345678', '0012345678'), totalFen: fromQr(12345, 12345) });
  assert.equal(outcomes(checkInvoice(agreeing, options)).qr_matches_ocr, 'pass');
  const tampered = checkInvoice(invoice({ qr, invoiceNumber: fromQr('0012345678', '0012345678'), totalFen: fromQr(12345, 92345) }), options);
  const finding = tampered.find((f) => f.code === 'qr_matches_ocr')!;
  assert.equal(finding.outcome, 'fail');
  assert.match(finding.message, /total/);
  const illegible = invoice({ qr, invoiceNumber: fromQr('0012345678', null), totalFen: fromQr(12345, null), invoiceCode: null, issueDate: null, checkCode: null });
  assert.equal(outcomes(checkInvoice(illegible, options)).qr_matches_ocr, 'skipped');
});

test('dates in the future, too old or impossible are implausible', () => {
  const dateOutcome = (date: string): string => outcomes(checkInvoice(invoice({ issueDate: ocr(date) }), options)).date_plausible!;
  assert.equal(dateOutcome('2026-03-20'), 'pass');
  // At 02:00 on the 21st in Shanghai it is still the 20th in UTC: the Shanghai calendar day counts.
  assert.equal(outcomes(checkInvoice(invoice({ issueDate: ocr('2026-03-21') }), { ...options, now: new Date('2026-03-20T18:00:00Z') })).date_plausible, 'pass');
  assert.equal(dateOutcome('2026-03-21'), 'fail');
  assert.equal(dateOutcome('2025-03-19'), 'fail');
  assert.equal(dateOutcome('2026-02-30'), 'fail');
});

test('unknown hospitals and other kinds of invoice are named', () => {
  const unknown = invoice({ hospital: { printedName: '某某诊所', hospitalId: null, registryName: null, similarity: 0.2, confidence: 0.4 }, kind: ocr('inpatient') });
  const findings = outcomes(checkInvoice(unknown, options));
  assert.equal(findings.hospital_known, 'fail');
  assert.equal(findings.kind_outpatient, 'fail');
  assert.equal(outcomes(checkInvoice(invoice({ items: [] }), options)).items_sum_to_total, 'skipped');
});

test('a payment split with a derived part is not checked against the total it came from', () => {
  const derived: Field<number> = { value: 7000, confidence: 0.9, source: 'derived' };
  const payment = { poolingFundFen: ocr(5000), personalAccountFen: ocr(345), personalCashFen: derived };
  assert.equal(outcomes(checkInvoice(invoice({ payment }), options)).payment_split_sums_to_total, 'skipped');
});
