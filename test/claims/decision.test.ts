import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeBenefit, type Benefit } from '../../src/claims/benefit.ts';
import { checkClaim, type ClaimCheckInput } from '../../src/claims/checks.ts';
import { decideClaim } from '../../src/claims/decision.ts';
import { finding, type ClaimFinding } from '../../src/claims/findings.ts';
import { mergePages } from '../../src/claims/merge.ts';
import { claimInput, HOSPITALS, invoice, item, ocr, page } from './support.ts';

/** The whole machine path, as the pipeline runs it. */
function decide(input: ClaimCheckInput, balances = { balanceAtVisitDayEndFen: 50_000, balanceNowFen: 50_000 }) {
  const findings = checkClaim(input);
  const benefit = computeBenefit({ invoice: mergePages(input.pages).invoice, rules: input.rules, ...balances });
  return { ...decideClaim(findings, benefit), benefitFen: benefit.benefitFen };
}

const inv = (overrides: Parameters<typeof invoice>[0]): Partial<ClaimCheckInput> => ({ pages: [page(invoice(overrides))] });

test('a legitimate claim is approved for what the patient paid', () => {
  const result = decide(claimInput());
  assert.deepEqual(result, { decision: 'approve', reasonCodes: [], zh: '自动批准：报销 73.45 元。', en: 'Approved automatically: 73.45 CNY.', benefitFen: 7345 });
});

const ADVERSARIAL: { name: string; input: Partial<ClaimCheckInput>; decision: 'reject' | 'review'; reasons: string[] }[] = [
  { name: 'a duplicate of a reimbursed invoice', input: { alreadyReimbursedByClaimId: 'c-1' }, decision: 'reject', reasons: ['already_reimbursed'] },
  {
    name: 'a re-photographed duplicate whose number was misread',
    input: { nearDuplicate: { claimId: 'c-1', distance: 4, totalFen: 12345, visitDate: '2026-03-18' } },
    decision: 'review',
    reasons: ['near_duplicate_photo'],
  },
  { name: 'a tampered total', input: inv({ totalFen: ocr(92345) }), decision: 'review', reasons: ['items_sum_mismatch', 'words_figures_mismatch', 'payment_split_mismatch'] },
  {
    name: 'a tampered item',
    input: inv({ items: [item('挂号费', 'registration', 1000), item('西药费', 'western_medicine', 91345)] }),
    decision: 'review',
    reasons: ['items_sum_mismatch'],
  },
  { name: 'a wrong patient', input: inv({ payerName: ocr('李强') }), decision: 'reject', reasons: ['patient_not_merchant'] },
  { name: 'a wrong patient differing in one character', input: inv({ payerName: ocr('王方') }), decision: 'review', reasons: ['patient_not_merchant'] },
  {
    name: 'a dental item',
    input: inv({ items: [item('挂号费', 'registration', 1000), item('口腔治疗费', 'treatment', 11345)] }),
    decision: 'reject',
    reasons: ['excluded_care'],
  },
  { name: 'a maternity hospital', input: { hospital: HOSPITALS.maternity3A }, decision: 'reject', reasons: ['excluded_care'] },
  { name: 'an inpatient bill', input: inv({ kind: ocr('inpatient') }), decision: 'reject', reasons: ['inpatient_bill'] },
  { name: 'a grade-1 clinic', input: { hospital: HOSPITALS.community1A }, decision: 'reject', reasons: ['hospital_grade_too_low'] },
  { name: 'an unrated clinic', input: { hospital: HOSPITALS.unrated }, decision: 'reject', reasons: ['hospital_grade_too_low'] },
  { name: 'a private clinic', input: { hospital: HOSPITALS.private2B }, decision: 'reject', reasons: ['hospital_ownership_not_covered'] },
  { name: 'a visit 31 days ago', input: inv({ issueDate: ocr('2026-02-17') }), decision: 'reject', reasons: ['visit_too_old'] },
  { name: 'a visit in the future', input: inv({ issueDate: ocr('2026-03-25') }), decision: 'reject', reasons: ['visit_in_future'] },
  { name: 'a visit 31 days ago on an unsure date', input: inv({ issueDate: ocr('2026-02-17', 0.6) }), decision: 'review', reasons: ['low_confidence_fields', 'visit_too_old'] },
  { name: 'an unknown issuer', input: { hospital: null }, decision: 'review', reasons: ['hospital_not_in_registry'] },
  { name: 'a pharmacy receipt', input: inv({ kind: ocr('pharmacy') }), decision: 'review', reasons: ['not_outpatient_bill'] },
  {
    name: 'a certain failure and a doubt: rejected on the certain ground alone',
    input: { hospital: HOSPITALS.private2B, ...inv({ totalFen: ocr(92345) }) },
    decision: 'reject',
    reasons: ['hospital_ownership_not_covered'],
  },
];

for (const c of ADVERSARIAL) {
  test(`adversarial: ${c.name} is never approved (${c.decision})`, () => {
    const result = decide(claimInput(c.input));
    assert.equal(result.decision, c.decision);
    assert.deepEqual([...result.reasonCodes].sort(), [...c.reasons].sort());
  });
}

test('no credit: a claim that passes every check but could pay nothing is rejected', () => {
  const result = decide(claimInput(), { balanceAtVisitDayEndFen: 0, balanceNowFen: 3000 });
  assert.equal(result.decision, 'reject');
  assert.deepEqual(result.reasonCodes, ['no_credit']);
  assert.equal(result.en, 'Rejected: No credit to pay with (0.00 CNY at the end of the visit day, 30.00 CNY now).');
});

test('an unsure zero goes to review, not to rejection', () => {
  const result = decide(claimInput(inv({ issueDate: ocr('2026-03-18', 0.5) })), { balanceAtVisitDayEndFen: 0, balanceNowFen: 3000 });
  assert.equal(result.decision, 'review');
});

const pass = (code: Parameters<typeof finding>[0]): ClaimFinding => finding(code, 'certain', {});
const benefitOf = (benefitFen: number, findings: ClaimFinding[] = [pass('benefit_computed')]): Benefit => ({ coveredFen: benefitFen, patientPaidFen: benefitFen, benefitFen, limitedBy: 'covered', findings });

test('approval needs a sure pass from every check: silence never approves', () => {
  const all = checkClaim(claimInput());
  assert.equal(decideClaim(all, benefitOf(100)).decision, 'approve');
  const withoutPatient = all.filter((f) => f.code !== 'patient_is_merchant');
  assert.deepEqual(decideClaim(withoutPatient, benefitOf(100)), {
    decision: 'review',
    reasonCodes: ['checks_incomplete'],
    zh: '转人工审核：检查结果不完整（patient_is_merchant）。',
    en: 'Sent to review: the checks are incomplete (patient_is_merchant).',
  });
  assert.equal(decideClaim(all, benefitOf(100, [])).decision, 'review', 'the benefit findings are required too');
  assert.equal(decideClaim([], benefitOf(100)).decision, 'review');
  assert.equal(decideClaim(all, benefitOf(0)).decision, 'review', 'a zero benefit never approves');
});

test('a sure pass is needed: a pass on an unsure reading goes to review', () => {
  const all = checkClaim(claimInput()).map((f) => (f.code === 'visit_in_window' ? { ...f, ground: 'uncertain' as const } : f));
  const result = decideClaim(all, benefitOf(100));
  assert.equal(result.decision, 'review');
  assert.deepEqual(result.reasonCodes, ['visit_in_window']);
});

test('benefit findings passed twice count once', () => {
  const all = checkClaim(claimInput());
  const benefit = benefitOf(100, [finding('payment_split_missing', 'uncertain', {}), pass('benefit_computed')]);
  const result = decideClaim([...all, ...benefit.findings], benefit);
  assert.deepEqual(result.reasonCodes, ['payment_split_missing']);
});

test('a doubt is uncertain whatever the caller says', () => {
  assert.equal(finding('near_duplicate_photo', 'certain', {}).ground, 'uncertain');
});
