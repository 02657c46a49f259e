import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeBenefit } from '../../src/claims/benefit.ts';
import { checkClaim } from '../../src/claims/checks.ts';
import { decideClaim } from '../../src/claims/decision.ts';
import { issuerChecks, issuerRequestOf } from '../../src/claims/issuer-checks.ts';
import type { VerifyAnswer } from '../../src/verification/index.ts';
import { claimInput, invoice, ocr, rules } from './support.ts';

/** The issuer's record of support.ts's invoice: 33010126-0012345678, 2026-03-18, 123.45. */
const RECORD = { billCode: '33010126', billNumber: '0012345678', checkCode: 'a1b2c3', issueDate: '2026-03-18', totalFen: 12345 };
const found = (bill: Partial<typeof RECORD> & { items?: { name: string; amountFen: number }[] } = {}): VerifyAnswer => ({ kind: 'found', bill: { ...RECORD, ...bill } });
const codes = (answer: VerifyAnswer | null, inv = invoice()) => issuerChecks(inv, answer, rules).map((f) => `${f.code} ${f.outcome}/${f.ground}`);

test("the platform's question is the invoice's five fields in its formats; an invoice short of one is not asked about", () => {
  assert.deepEqual(issuerRequestOf(invoice()), RECORD);
  // a VAT-style 20-digit check code: the platform asks for its last six
  assert.equal(issuerRequestOf(invoice({ checkCode: ocr('12345678901234567890') }))?.checkCode, '567890');
  assert.equal(issuerRequestOf(invoice({ checkCode: null })), null);
  assert.equal(issuerRequestOf(invoice({ invoiceCode: ocr('3301012') })), null, '7 digits: not a fiscal bill code');
  assert.equal(issuerRequestOf(invoice({ invoiceNumber: ocr('12345678') })), null, 'a pharmacy receipt number');
  assert.equal(issuerRequestOf(invoice({ totalFen: null })), null);
});

test('verified is a certain pass naming what was compared; a region that answers three fields compares the total only', () => {
  assert.deepEqual(codes(found()), ['issuer_verified pass/certain']);
  const full = issuerChecks(invoice(), found(), rules)[0]!;
  assert.equal(full.evidence.compared, 'invoice_code, invoice_number, total, issue_date');
  assert.match(full.zh, /票据代码、票据号码、金额合计、开票日期/);
  const three = issuerChecks(invoice(), { kind: 'found', bill: { billCode: RECORD.billCode, billNumber: RECORD.billNumber, totalFen: 12345 } }, rules)[0]!;
  assert.equal(three.code, 'issuer_verified');
  assert.equal(three.evidence.compared, 'invoice_code, invoice_number, total');
});

test("a total or date the issuer contradicts fails, surely when the reading was sure; each is said with both values", () => {
  assert.deepEqual(codes(found({ totalFen: 2345 })), ['issuer_amount_mismatch fail/certain']);
  const [amount] = issuerChecks(invoice(), found({ totalFen: 2345 }), rules);
  assert.equal(amount!.en, "The issuer's record gives a total of 23.45 CNY; the invoice shows 123.45 CNY.");
  assert.equal(amount!.zh, '查验平台登记的金额合计为 23.45 元，票面为 123.45 元，两者不符。');
  assert.deepEqual(codes(found({ issueDate: '2026-02-18' })), ['issuer_date_mismatch fail/certain']);
  assert.deepEqual(codes(found({ totalFen: 1, issueDate: '2026-02-18' })), ['issuer_amount_mismatch fail/certain', 'issuer_date_mismatch fail/certain']);
  // an unsure reading of the total: the contradiction may be the reading's, so a person looks
  assert.deepEqual(codes(found({ totalFen: 2345 }), invoice({ totalFen: ocr(12345, 0.5) })), ['issuer_amount_mismatch fail/uncertain']);
});

test('a bill the issuer does not know is a doubt; no answer is a certain pass that says the check comes after payment; not asked, nothing', () => {
  assert.deepEqual(codes({ kind: 'not_found' }), ['issuer_unknown_bill doubt/uncertain']);
  assert.equal(issuerChecks(invoice(), { kind: 'not_found' }, rules)[0]!.en, "The issuer's verification platform has no record of invoice 33010126-0012345678.");
  const deferred = issuerChecks(invoice(), { kind: 'unavailable', reason: 'daily_limit', detail: '5 checks today' }, rules);
  assert.deepEqual(deferred.map((f) => `${f.code} ${f.outcome}/${f.ground}`), ['issuer_check_deferred pass/certain']);
  assert.equal(deferred[0]!.en, "The invoice could not be checked with its issuer now (today's checks of this bill are used up); it is checked after payment.");
  assert.equal(deferred[0]!.zh, '暂时无法向开票单位查验（这张票据今天的查验次数已用完），付款后再查验。');
  assert.deepEqual(codes(null), []);
});

test('the decision: verified or deferred approves as before; a sure mismatch rejects, saying why; an unknown bill goes to a person', () => {
  const decide = (issuer: VerifyAnswer | null) => {
    const input = claimInput({ issuer });
    return decideClaim(checkClaim(input), computeBenefit({ invoice: invoice(), rules, balanceAtVisitDayEndFen: 10_000, balanceNowFen: 10_000 }));
  };
  assert.equal(decide(null).decision, 'approve');
  assert.equal(decide(found()).decision, 'approve');
  assert.equal(decide({ kind: 'unavailable', reason: 'outage', detail: 'HTTP 503' }).decision, 'approve');
  const mismatch = decide(found({ totalFen: 2345 }));
  assert.deepEqual([mismatch.decision, mismatch.reasonCodes], ['reject', ['issuer_amount_mismatch']]);
  assert.match(mismatch.en, /^Rejected: The issuer's record gives a total of 23\.45 CNY/);
  const unknown = decide({ kind: 'not_found' });
  assert.deepEqual([unknown.decision, unknown.reasonCodes], ['review', ['issuer_unknown_bill']]);
});
