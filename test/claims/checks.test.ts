import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkClaim, type ClaimCheckInput } from '../../src/claims/checks.ts';
import { mergePages } from '../../src/claims/merge.ts';
import { normalisePersonName } from '../../src/claims/patient-check.ts';
import type { Field } from '../../src/recognition/types.ts';
import { claimInput, HOSPITALS, invoice, item, ocr, page, summary } from './support.ts';

test('a legitimate claim passes every check, surely, in a fixed order', () => {
  const findings = checkClaim(claimInput());
  assert.deepEqual(
    findings.map((f) => `${f.code} ${f.outcome}/${f.ground}`),
    [
      'one_invoice pass/certain',
      'required_fields_present pass/certain',
      'fields_confident pass/certain',
      'cross_checks_pass pass/certain',
      'hospital_in_registry pass/certain',
      'hospital_grade_eligible pass/certain',
      'hospital_ownership_eligible pass/certain',
      'outpatient_bill pass/certain',
      'no_excluded_care pass/certain',
      'patient_is_merchant pass/certain',
      'visit_in_window pass/certain',
      'not_reimbursed_before pass/certain',
      'no_near_duplicate_photo pass/certain',
    ],
  );
  for (const f of findings) {
    assert.ok(f.zh.length > 0 && f.en.length > 0, `${f.code} explains itself`);
    assert.match(f.code, /^[a-z][a-z0-9_]{2,63}$/);
  }
});

const inv = (overrides: Parameters<typeof invoice>[0]): Partial<ClaimCheckInput> => ({ pages: [page(invoice(overrides))] });
const hospitalMatch = (confidence: number) => ({ printedName: '杭州市第一人民医院', hospitalId: 'H1', registryName: '杭州市第一人民医院', similarity: 1, confidence });

const CASES: { name: string; input: Partial<ClaimCheckInput>; expect: Record<string, string> }[] = [
  // hospital
  { name: 'a grade-2C hospital is covered', input: { hospital: HOSPITALS.tcm2C }, expect: { hospital_grade_eligible: 'pass/certain' } },
  { name: 'a grade-1 clinic is not', input: { hospital: HOSPITALS.community1A }, expect: { hospital_grade_too_low: 'fail/certain' } },
  { name: 'an unrated clinic is not', input: { hospital: HOSPITALS.unrated }, expect: { hospital_grade_too_low: 'fail/certain' } },
  { name: 'a private hospital is not', input: { hospital: HOSPITALS.private2B }, expect: { hospital_ownership_not_covered: 'fail/certain', hospital_grade_eligible: 'pass/certain' } },
  {
    name: 'a grade-1 match on an unsure name is not certain',
    input: { hospital: HOSPITALS.community1A, ...inv({ hospital: hospitalMatch(0.7) }) },
    expect: { hospital_grade_too_low: 'fail/uncertain', low_confidence_fields: 'doubt/uncertain' },
  },
  {
    name: 'an issuer not in the registry is a doubt, and grade and ownership are not judged',
    input: { hospital: null, ...inv({ hospital: { printedName: '某某诊所', hospitalId: null, registryName: null, similarity: 0.3, confidence: 0.5 } }) },
    expect: { hospital_not_in_registry: 'doubt/uncertain', hospital_grade_eligible: 'absent', hospital_grade_too_low: 'absent' },
  },
  // kind
  { name: 'an inpatient bill read surely', input: inv({ kind: ocr('inpatient') }), expect: { inpatient_bill: 'fail/certain' } },
  { name: 'an inpatient bill read unsurely', input: inv({ kind: ocr('inpatient', 0.6) }), expect: { inpatient_bill: 'fail/uncertain' } },
  { name: 'a pharmacy receipt', input: inv({ kind: ocr('pharmacy') }), expect: { not_outpatient_bill: 'doubt/uncertain' } },
  { name: 'a VAT invoice', input: inv({ kind: ocr('vat') }), expect: { not_outpatient_bill: 'doubt/uncertain' } },
  { name: 'an unrecognisable page', input: inv({ kind: ocr('unknown', 0.3) }), expect: { not_outpatient_bill: 'doubt/uncertain' } },
  // exclusions
  {
    name: 'a dental item read surely',
    input: inv({ items: [item('挂号费', 'registration', 1000), item('口腔治疗费', 'treatment', 11345)] }),
    expect: { excluded_care: 'fail/certain', no_excluded_care: 'absent' },
  },
  {
    name: 'a dental item read unsurely',
    input: inv({ items: [item('挂号费', 'registration', 1000), item('口腔治疗费', 'treatment', 11345, 0.7)] }),
    expect: { excluded_care: 'fail/uncertain' },
  },
  { name: 'a maternity hospital', input: { hospital: HOSPITALS.maternity3A }, expect: { excluded_care: 'fail/certain', hospital_grade_eligible: 'pass/certain' } },
  { name: 'a dental hospital', input: { hospital: HOSPITALS.dental2A }, expect: { excluded_care: 'fail/certain' } },
  { name: 'a cosmetic hospital', input: { hospital: HOSPITALS.cosmeticPrivate }, expect: { excluded_care: 'fail/certain', hospital_ownership_not_covered: 'fail/certain' } },
  { name: 'a prenatal check', input: inv({ items: [item('产前检查费', 'examination', 12345)] }), expect: { excluded_care: 'fail/certain' } },
  { name: 'a cosmetic item', input: inv({ items: [item('美容护理费', 'treatment', 12345)] }), expect: { excluded_care: 'fail/certain' } },
  { name: 'a health product', input: inv({ items: [item('保健品', 'western_medicine', 12345)] }), expect: { excluded_care: 'fail/certain' } },
  { name: 'a drinking injury', input: inv({ items: [item('醉酒外伤清创治疗费', 'treatment', 12345)] }), expect: { excluded_care: 'fail/certain' } },
  { name: 'a department in the item name', input: inv({ items: [item('口腔科挂号费', 'registration', 1000), item('西药费', 'western_medicine', 11345)] }), expect: { excluded_care: 'fail/certain' } },
  // patient
  { name: 'spaces in the printed name do not matter', input: inv({ payerName: ocr('王 芳') }), expect: { patient_is_merchant: 'pass/certain' } },
  { name: 'a different person read surely', input: inv({ payerName: ocr('李强') }), expect: { patient_not_merchant: 'fail/certain' } },
  { name: 'one character off is not certain', input: inv({ payerName: ocr('王方') }), expect: { patient_not_merchant: 'fail/uncertain' } },
  { name: 'a different person read unsurely', input: inv({ payerName: ocr('李强', 0.6) }), expect: { patient_not_merchant: 'fail/uncertain', low_confidence_fields: 'doubt/uncertain' } },
  { name: 'the right name read unsurely', input: inv({ payerName: ocr('王芳', 0.8) }), expect: { patient_is_merchant: 'pass/uncertain', low_confidence_fields: 'doubt/uncertain' } },
  { name: 'a longer name differing in one character', input: { enrolledName: '王芳芳', ...inv({ payerName: ocr('王芳') }) }, expect: { patient_not_merchant: 'fail/uncertain' } },
  {
    name: 'a minority name with another middle dot',
    input: { enrolledName: '阿依古丽·买买提', ...inv({ payerName: ocr('阿依古丽．买买提') }) },
    expect: { patient_is_merchant: 'pass/certain' },
  },
  // visit
  { name: 'a visit on the day of submission', input: inv({ issueDate: ocr('2026-03-20') }), expect: { visit_in_window: 'pass/certain' } },
  { name: 'a visit tomorrow', input: inv({ issueDate: ocr('2026-03-21') }), expect: { visit_in_future: 'fail/certain' } },
  {
    name: "tomorrow in UTC is today in Shanghai after 16:00 UTC",
    input: { submittedAt: new Date('2026-03-20T17:00:00Z'), ...inv({ issueDate: ocr('2026-03-21') }) },
    expect: { visit_in_window: 'pass/certain' },
  },
  { name: 'a visit exactly 30 days ago', input: inv({ issueDate: ocr('2026-02-18') }), expect: { visit_in_window: 'pass/certain' } },
  { name: 'a visit 31 days ago', input: inv({ issueDate: ocr('2026-02-17') }), expect: { visit_too_old: 'fail/certain' } },
  { name: 'an old date read unsurely', input: inv({ issueDate: ocr('2026-02-17', 0.5) }), expect: { visit_too_old: 'fail/uncertain' } },
  { name: 'an impossible date', input: inv({ issueDate: ocr('2026-02-30') }), expect: { visit_date_unreadable: 'doubt/uncertain' } },
  {
    name: 'a visit before the first credit',
    input: { earliestCreditCollectedAt: new Date('2026-03-19T08:00:00+08:00') },
    expect: { visit_before_credit: 'fail/certain' },
  },
  {
    name: 'a visit on the day of the first credit',
    input: { earliestCreditCollectedAt: new Date('2026-03-18T23:30:00+08:00') },
    expect: { visit_in_window: 'pass/certain' },
  },
  { name: 'a merchant that never collected credit', input: { earliestCreditCollectedAt: null }, expect: { visit_before_credit: 'fail/certain' } },
  // duplicates
  { name: 'an invoice reimbursed before', input: { alreadyReimbursedByClaimId: 'c-1' }, expect: { already_reimbursed: 'fail/certain', not_reimbursed_before: 'absent' } },
  {
    name: 'a reimbursed number read unsurely',
    input: { alreadyReimbursedByClaimId: 'c-1', ...inv({ invoiceNumber: ocr('0012345678', 0.6) }) },
    expect: { already_reimbursed: 'fail/uncertain' },
  },
  { name: 'a look-alike photo', input: { nearDuplicate: { claimId: 'c-2', distance: 3 } }, expect: { near_duplicate_photo: 'doubt/uncertain' } },
  { name: 'a far photo', input: { nearDuplicate: { claimId: 'c-2', distance: 20 } }, expect: { no_near_duplicate_photo: 'pass/certain' } },
  {
    name: 'a look-alike of another amount is a template sibling',
    input: { nearDuplicate: { claimId: 'c-2', distance: 0, totalFen: 5000, visitDate: '2026-03-18' } },
    expect: { no_near_duplicate_photo: 'pass/certain' },
  },
  {
    name: 'a look-alike with another invoice number is a template sibling, even at the same amount',
    input: { nearDuplicate: { claimId: 'c-2', distance: 1, totalFen: 12345, visitDate: '2026-03-18', invoiceNumber: '0099999999' } },
    expect: { no_near_duplicate_photo: 'pass/certain' },
  },
  {
    name: 'a look-alike with the same amount and day',
    input: { nearDuplicate: { claimId: 'c-2', distance: 2, totalFen: 12345, visitDate: '2026-03-18' } },
    expect: { near_duplicate_photo: 'doubt/uncertain' },
  },
  // the reading
  {
    name: 'a tampered total',
    input: inv({ totalFen: ocr(92345) }),
    expect: { items_sum_mismatch: 'doubt/uncertain', words_figures_mismatch: 'doubt/uncertain', payment_split_mismatch: 'doubt/uncertain', cross_checks_pass: 'absent' },
  },
  { name: 'a tampered item', input: inv({ items: [item('挂号费', 'registration', 1000), item('西药费', 'western_medicine', 19345)] }), expect: { items_sum_mismatch: 'doubt/uncertain' } },
  {
    name: 'a QR code that disagrees with the print',
    input: inv({
      qr: { format: 'vat', raw: '01,…', invoiceType: '32', invoiceCode: '33010126', invoiceNumber: '0012345678', amountFen: 12345, issueDate: '2026-03-18', checkCode: 'a1b2c3' },
      totalFen: { value: 12345, confidence: 0.99, source: 'qr', printed: 92345 } satisfies Field<number>,
    }),
    expect: { qr_mismatch: 'doubt/uncertain' },
  },
  { name: 'a missing invoice code', input: inv({ invoiceCode: null }), expect: { missing_fields: 'doubt/uncertain', not_reimbursed_before: 'absent' } },
  { name: 'a missing payer', input: inv({ payerName: null }), expect: { missing_fields: 'doubt/uncertain', patient_is_merchant: 'absent' } },
  { name: 'a missing date', input: inv({ issueDate: null }), expect: { missing_fields: 'doubt/uncertain', visit_in_window: 'absent' } },
  { name: 'an item read unsurely', input: inv({ items: [item('挂号费', 'registration', 1000), item('西药费', 'western_medicine', 11345, 0.5)] }), expect: { low_confidence_fields: 'doubt/uncertain' } },
  {
    name: 'a payment part the seal hid is derived, not unsure',
    input: inv({ payment: { poolingFundFen: { value: 5000, confidence: 0.85, source: 'derived' }, personalAccountFen: ocr(345), personalCashFen: ocr(7000) } }),
    expect: { fields_confident: 'pass/certain' },
  },
  { name: 'two invoices in one claim', input: { pages: [page(invoice()), page(invoice({ invoiceNumber: ocr('0099999999') }))] }, expect: { several_invoices: 'doubt/uncertain' } },
];

for (const c of CASES) {
  test(`check: ${c.name}`, () => {
    const found = summary(checkClaim(claimInput(c.input)));
    for (const [code, expected] of Object.entries(c.expect)) assert.equal(found[code] ?? 'absent', expected, `${code} in ${JSON.stringify(found)}`);
  });
}

test('every finding carries the values it compared', () => {
  const findings = checkClaim(claimInput({ ...inv({ issueDate: ocr('2026-02-17'), payerName: ocr('李强') }), hospital: HOSPITALS.community1A }));
  const byCode = new Map(findings.map((f) => [f.code, f]));
  assert.deepEqual(byCode.get('visit_too_old')!.evidence, {
    visitDate: '2026-02-17',
    submittedDay: '2026-03-20',
    ageDays: 31,
    maxAgeDays: 30,
    firstCreditDay: '2026-01-05',
    confidence: 0.99,
  });
  assert.equal(byCode.get('patient_not_merchant')!.evidence.payerName, '李强');
  assert.equal(byCode.get('patient_not_merchant')!.evidence.enrolledName, '王芳');
  assert.equal(byCode.get('patient_not_merchant')!.evidence.distance, 2);
  assert.equal(byCode.get('hospital_grade_too_low')!.evidence.grade, '1A');
  assert.match(byCode.get('visit_too_old')!.zh, /2026-02-17.*30 天/);
  assert.match(byCode.get('visit_too_old')!.en, /31 days old/);
});

test('a tampered total explains both sums in yuan', () => {
  const f = checkClaim(claimInput(inv({ totalFen: ocr(92345) }))).find((x) => x.code === 'items_sum_mismatch')!;
  assert.deepEqual(f.evidence, { itemsSumFen: 12345, totalFen: 92345, items: 2 });
  assert.equal(f.en, 'The items sum to 123.45 CNY but the total says 923.45 CNY.');
  assert.equal(f.zh, '明细合计 123.45 元，与总额 923.45 元不符。');
});

test('pages merge into one invoice: header from the first page that has it, items in order', () => {
  const first = invoice({ payerName: null, items: [item('挂号费', 'registration', 1000)], payment: { poolingFundFen: null, personalAccountFen: null, personalCashFen: null } });
  const second = invoice({
    kind: ocr('unknown', 0.4),
    invoiceCode: null,
    invoiceNumber: null,
    payerName: ocr('王芳', 0.95),
    hospital: null,
    items: [item('西药费', 'western_medicine', 11345)],
    payment: { poolingFundFen: ocr(5000), personalAccountFen: ocr(345), personalCashFen: ocr(7000) },
  });
  const merged = mergePages([page(first), page(second)]);
  assert.equal(merged.invoice.kind.value, 'outpatient');
  assert.equal(merged.invoice.payerName!.confidence, 0.95);
  assert.equal(merged.invoice.hospital!.hospitalId, 'H1');
  assert.deepEqual(merged.invoice.items.map((i) => i.name), ['挂号费', '西药费']);
  assert.equal(merged.invoice.payment.poolingFundFen!.value, 5000);
  assert.deepEqual(merged.invoiceNumbers, ['0012345678']);
  // Each page alone would fail the item sum; the whole invoice adds up.
  const found = summary(checkClaim(claimInput({ pages: [page(first), page(second)] })));
  assert.equal(found.cross_checks_pass, 'pass/certain');
  assert.equal(found.one_invoice, 'pass/certain');
  assert.throws(() => mergePages([]), RangeError);
});

test('names compare by their characters', () => {
  assert.equal(normalisePersonName(' 王\u3000芳 '), '王芳');
  assert.equal(normalisePersonName('Jose\u0301 García'), normalisePersonName('José  GARCÍA'));
});
