import assert from 'node:assert/strict';
import { test } from 'node:test';
import { showsAnInvoice } from '../../src/recognition/invoice-found.ts';
import type { Field, Invoice } from '../../src/recognition/types.ts';

const ocr = <T>(value: T): Field<T> => ({ value, confidence: 0.9, source: 'ocr' });

/** A page on which nothing of an invoice was read. */
const nothing: Invoice = {
  kind: { value: 'unknown', confidence: 0, source: 'ocr' },
  province: null,
  invoiceCode: null,
  invoiceNumber: null,
  checkCode: null,
  issueDate: null,
  payerName: null,
  outpatientNumber: null,
  hospital: null,
  insuranceType: null,
  items: [],
  totalFen: null,
  totalInWordsFen: null,
  payment: { poolingFundFen: null, personalAccountFen: null, personalCashFen: null },
  qr: null,
  confidence: 0,
};

test('a page with no kind and no invoice field read shows no invoice', () => {
  assert.equal(showsAnInvoice(nothing), false);
  // a date and a name alone are on letters and posters too
  assert.equal(showsAnInvoice({ ...nothing, issueDate: ocr('2026-03-18'), payerName: ocr('王芳') }), false);
});

test('a page of unknown kind shows an invoice when any invoice field was read', () => {
  const read: [string, Partial<Invoice>][] = [
    ['code', { invoiceCode: ocr('33010126') }],
    ['number', { invoiceNumber: ocr('0012345678') }],
    ['check code', { checkCode: ocr('a1b2c3') }],
    ['total', { totalFen: ocr(12345) }],
    ['issuer', { hospital: { printedName: '杭州市第一人民医院', hospitalId: 'H1', registryName: '杭州市第一人民医院', similarity: 1, confidence: 0.9 } }],
    ['items', { items: [{ name: '挂号费', category: 'registration', amountFen: 1000, confidence: 0.9 }] }],
  ];
  for (const [what, fields] of read) assert.equal(showsAnInvoice({ ...nothing, ...fields }), true, what);
});

test('a page whose kind was recognised shows an invoice even with no field read', () => {
  assert.equal(showsAnInvoice({ ...nothing, kind: ocr('outpatient') }), true);
});
