import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assembleInvoice } from '../../src/recognition/assemble.ts';
import { checkInvoice } from '../../src/recognition/checks.ts';
import type { PrintedFields } from '../../src/recognition/extract.ts';
import { createHospitalRegistry } from '../../src/recognition/hospitals.ts';
import { parseHospitalsCsv } from '../../src/hospitals/record.ts';
import { parseQrPayload } from '../../src/recognition/qr-payload.ts';
import type { Field } from '../../src/recognition/types.ts';

const registry = createHospitalRegistry(
  parseHospitalsCsv('id,name,aliases,province,city,grade,ownership,type\nH1,杭州市第一人民医院,,浙江省,杭州市,3A,public,general\nH2,杭州市第二人民医院,,浙江省,杭州市,3B,public,general\n'),
);
const ocr = <T>(value: T, confidence = 0.98): Field<T> => ({ value, confidence, source: 'ocr' });

function printed(overrides: Partial<PrintedFields> = {}): PrintedFields {
  return {
    kind: ocr('outpatient'),
    province: ocr('浙江省'),
    invoiceCode: ocr('33010126'),
    invoiceNumber: ocr('0012345678'),
    checkCode: ocr('a1b2c3'),
    issueDate: ocr('2026-03-18'),
    payerName: ocr('王芳'),
    outpatientNumber: null,
    issuerNames: [ocr('常杭州市第一人民医院', 0.9), ocr('杭州市第一人民医院', 0.99)],
    insuranceType: null,
    items: [],
    totalFen: ocr(12345),
    totalInWordsFen: ocr(12345),
    payment: { poolingFundFen: null, personalAccountFen: ocr(345), personalCashFen: ocr(7000) },
    ...overrides,
  };
}

test('the issuer reading that matches the registry best is kept', () => {
  const invoice = assembleInvoice(printed(), registry, null);
  assert.deepEqual(invoice.hospital, { printedName: '杭州市第一人民医院', hospitalId: 'H1', registryName: '杭州市第一人民医院', similarity: 1, confidence: 0.99 });
  const hidden = assembleInvoice(printed({ issuerNames: [ocr('杭州市第人民医院')] }), registry, null);
  assert.equal(hidden.hospital?.hospitalId, null);
  assert.equal(hidden.confidence, hidden.hospital?.confidence);
});

test('one payment part hidden by the seal is derived from the total and the others', () => {
  const invoice = assembleInvoice(printed(), registry, null);
  assert.deepEqual(invoice.payment.poolingFundFen, { value: 5000, confidence: 0.882, source: 'derived' });
  const twoMissing = assembleInvoice(printed({ payment: { poolingFundFen: null, personalAccountFen: null, personalCashFen: ocr(7000) } }), registry, null);
  assert.equal(twoMissing.payment.poolingFundFen, null);
});

test('a parsed QR code supplies the values and keeps what the print says beside them', () => {
  const qr = parseQrPayload('01,32,33010126,0012345678,123.45,20260318,a1b2c3,0000');
  const invoice = assembleInvoice(printed({ totalFen: ocr(92345), invoiceNumber: null }), registry, qr);
  assert.deepEqual(invoice.totalFen, { value: 12345, confidence: 0.99, source: 'qr', printed: 92345 });
  assert.deepEqual(invoice.invoiceNumber, { value: '0012345678', confidence: 0.99, source: 'qr', printed: null });
  const opaque = assembleInvoice(printed(), registry, parseQrPayload('EBILL:XYZ'));
  assert.equal(opaque.totalFen?.source, 'ocr');
  assert.equal(opaque.qr?.format, 'opaque');
});

test('an invoice of unknown kind has no confidence', () => {
  assert.equal(assembleInvoice(printed({ kind: { value: 'unknown', confidence: 0, source: 'ocr' } }), registry, null).confidence, 0);
});

test('a fiscal QR that agrees with the print raises the fields to QR confidence and passes the cross-check', () => {
  const qr = parseQrPayload('https://ebill.example.gov.cn/verify?d=33010126_0012345678_a1b2c3_123.45_20260318&s=00');
  const invoice = assembleInvoice(printed(), registry, qr);
  assert.deepEqual(invoice.invoiceNumber, { value: '0012345678', confidence: 0.99, source: 'qr', printed: '0012345678' });
  assert.equal(invoice.totalFen?.source, 'qr');
  const check = checkInvoice(invoice, { now: new Date('2026-03-20T09:00:00+08:00'), maxAgeDays: 365 }).find((f) => f.code === 'qr_matches_ocr');
  assert.equal(check?.outcome, 'pass');
  assert.match(check!.message, /invoice code, invoice number, total, issue date, check code/);
});

test('a fiscal QR that disagrees with the print is a failed cross-check naming the fields', () => {
  const qr = parseQrPayload('https://ebill.example.gov.cn/verify?d=33010126_0012345678_a1b2c3_23.45_20260317');
  const invoice = assembleInvoice(printed(), registry, qr);
  assert.equal(invoice.totalFen?.value, 2345, 'the machine-readable value is kept');
  assert.equal(invoice.totalFen?.printed, 12345, 'beside what the print says');
  const check = checkInvoice(invoice, { now: new Date('2026-03-20T09:00:00+08:00'), maxAgeDays: 365 }).find((f) => f.code === 'qr_matches_ocr');
  assert.equal(check?.outcome, 'fail');
  assert.equal(check?.message, 'QR disagrees with the print on total, issue date');
});

test('without an amount in the QR the printed total stands and the rest is compared', () => {
  const qr = parseQrPayload('https://ebill.example.gov.cn/verify?d=33010126_0012345678_a1b2c3_20260318');
  const invoice = assembleInvoice(printed(), registry, qr);
  assert.deepEqual(invoice.totalFen, printed().totalFen);
  const check = checkInvoice(invoice, { now: new Date('2026-03-20T09:00:00+08:00'), maxAgeDays: 365 }).find((f) => f.code === 'qr_matches_ocr');
  assert.equal(check?.outcome, 'pass');
  assert.doesNotMatch(check!.message, /total/);
});

test('an issuer read too far from every name is matched where the recogniser\'s candidates back the differences', () => {
  // 杭州市第一人民医院 under a seal: 州 read as 川 and 院 as 完 with the right ones their second candidates, 医 as 区 with nothing behind it
  const reading = '杭川市第一人民区完';
  const behind: Record<number, string> = { 1: '州', 8: '院' };
  const candidates = [...reading].map((char, i) => [{ char, probability: 0.6 }, ...(behind[i] ? [{ char: behind[i]!, probability: 0.3 }] : [])]);
  const at = { steps: { candidates, emittedAt: candidates.map((_, i) => i) }, offset: 0 };
  const backed = assembleInvoice(printed({ issuerNames: [{ ...ocr(reading), at }] }), registry, null);
  assert.equal(backed.hospital?.hospitalId, 'H1');
  assert.ok(backed.hospital!.similarity < 0.8, 'the similarity stays the reading\'s own');
  // without the steps the reading is too far from every name
  assert.equal(assembleInvoice(printed({ issuerNames: [ocr(reading)] }), registry, null).hospital?.hospitalId, null);
});
