import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseQrPayload } from '../../src/recognition/qr-payload.ts';

test('a fiscal e-bill verification URL parses into code, number, check code, amount and date', () => {
  const raw = 'https://ebill.example.gov.cn/verify?d=33010126_0012345678_a1b2c3_123.45_20260318&t=1&s=9f8e7d6c5b4a3210';
  assert.deepEqual(parseQrPayload(raw), {
    format: 'fiscal',
    raw,
    invoiceCode: '33010126',
    invoiceNumber: '0012345678',
    checkCode: 'a1b2c3',
    amountFen: 12345,
    issueDate: '2026-03-18',
  });
});

test('the fiscal form without an amount, as a bare query or percent-encoded, parses too', () => {
  const noAmount = parseQrPayload('http://pj.example.cn/check?s=abc&d=44010126_9876543210_ZX81QW_20251231');
  assert.equal(noAmount.format, 'fiscal');
  assert.equal(noAmount.format === 'fiscal' && noAmount.amountFen, null);
  assert.equal(noAmount.format === 'fiscal' && noAmount.issueDate, '2025-12-31');
  const encoded = parseQrPayload('d=44010126%5F9876543210%5FZX81QW%5F8.00%5F20251231');
  assert.equal(encoded.format === 'fiscal' && encoded.amountFen, 800);
});

test('near-misses of the fiscal form stay opaque', () => {
  for (const raw of [
    'https://ebill.example.gov.cn/verify?d=33010126_0012345678_a1b2c3_123.45_20260231', // no 31 February
    'https://ebill.example.gov.cn/verify?d=3301012_0012345678_a1b2c3_123.45_20260318', // 7-digit code
    'https://ebill.example.gov.cn/verify?d=33010126_0012345678_a1b2c3', // no date
    'https://ebill.example.gov.cn/verify?d=33010126_0012345678_a1b2c3_12,3.4.5_20260318', // not an amount
    'https://ebill.example.gov.cn/verify?id=33010126_0012345678_a1b2c3_1.00_20260318', // not the d parameter
    'https://ebill.example.gov.cn/verify?d=%E0%A4%A',
  ]) {
    assert.deepEqual(parseQrPayload(raw), { format: 'opaque', raw }, raw);
  }
});
