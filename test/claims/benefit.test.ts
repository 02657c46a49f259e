import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeBenefit, type BenefitInput } from '../../src/claims/benefit.ts';
import type { Invoice } from '../../src/recognition/types.ts';
import { invoice, item, ocr, rules, summary } from './support.ts';

const NONE = { poolingFundFen: null, personalAccountFen: null, personalCashFen: null };
const split = (pool: number, account: number, cash: number): Invoice['payment'] => ({ poolingFundFen: ocr(pool), personalAccountFen: ocr(account), personalCashFen: ocr(cash) });

function benefit(inv: Partial<Invoice>, balances: Partial<Pick<BenefitInput, 'balanceAtVisitDayEndFen' | 'balanceNowFen'>> = {}) {
  return computeBenefit({ invoice: invoice(inv), balanceAtVisitDayEndFen: 50_000, balanceNowFen: 50_000, rules, ...balances });
}

/** A big self-paid bill: 350.00 of covered care. */
const big: Partial<Invoice> = {
  items: [item('检查费', 'examination', 30000), item('化验费', 'laboratory', 5000)],
  totalFen: ocr(35000),
  totalInWordsFen: ocr(35000),
  payment: split(0, 0, 35000),
};

const CASES: { name: string; inv: Partial<Invoice>; balances?: Partial<BenefitInput>; expect: { coveredFen: number; patientPaidFen: number; benefitFen: number; limitedBy: string }; findings: Record<string, string> }[] = [
  {
    name: 'covered charges win: the patient paid 73.45 of 123.45',
    inv: {},
    expect: { coveredFen: 7345, patientPaidFen: 7345, benefitFen: 7345, limitedBy: 'covered' },
    findings: { benefit_computed: 'pass/certain' },
  },
  { name: 'the per-claim cap wins', inv: big, expect: { coveredFen: 35000, patientPaidFen: 35000, benefitFen: 20000, limitedBy: 'cap' }, findings: { benefit_computed: 'pass/certain' } },
  {
    name: 'the balance at the end of the visit day wins',
    inv: big,
    balances: { balanceAtVisitDayEndFen: 3000, balanceNowFen: 4000 },
    expect: { coveredFen: 35000, patientPaidFen: 35000, benefitFen: 3000, limitedBy: 'balance_at_visit' },
    findings: { benefit_computed: 'pass/certain' },
  },
  {
    name: 'the balance now wins',
    inv: big,
    balances: { balanceAtVisitDayEndFen: 3000, balanceNowFen: 1500 },
    expect: { coveredFen: 35000, patientPaidFen: 35000, benefitFen: 1500, limitedBy: 'balance_now' },
    findings: { benefit_computed: 'pass/certain' },
  },
  {
    name: 'uncovered categories and excluded items are left out',
    inv: {
      items: [item('挂号费', 'registration', 1000), item('卫生材料费', 'materials', 2000), item('口腔检查费', 'examination', 3000), item('治疗费', 'treatment', 4000)],
      totalFen: ocr(10000),
      payment: split(0, 0, 10000),
    },
    expect: { coveredFen: 5000, patientPaidFen: 10000, benefitFen: 5000, limitedBy: 'covered' },
    findings: { benefit_computed: 'pass/certain' },
  },
  {
    name: 'other funds are not the patient’s: the personal parts cap what the patient paid',
    inv: { payment: split(5000, 345, 5000) },
    expect: { coveredFen: 5345, patientPaidFen: 5345, benefitFen: 5345, limitedBy: 'covered' },
    findings: { benefit_computed: 'pass/certain' },
  },
  {
    name: 'no split on a self-paid bill: the patient paid everything',
    inv: { payment: NONE, insuranceType: ocr('自费') },
    expect: { coveredFen: 12345, patientPaidFen: 12345, benefitFen: 12345, limitedBy: 'covered' },
    findings: { benefit_computed: 'pass/certain', payment_split_missing: 'absent' },
  },
  {
    name: 'no split on an insured bill is a doubt, with the most the rules could allow',
    inv: { payment: NONE },
    expect: { coveredFen: 12345, patientPaidFen: 12345, benefitFen: 12345, limitedBy: 'covered' },
    findings: { payment_split_missing: 'doubt/uncertain', benefit_computed: 'pass/uncertain' },
  },
  {
    name: 'no pooling line but both personal parts',
    inv: { payment: { poolingFundFen: null, personalAccountFen: ocr(2000), personalCashFen: ocr(3000) } },
    expect: { coveredFen: 5000, patientPaidFen: 5000, benefitFen: 5000, limitedBy: 'covered' },
    findings: { benefit_computed: 'pass/certain' },
  },
  {
    name: 'only the cash line is a doubt',
    inv: { payment: { poolingFundFen: null, personalAccountFen: null, personalCashFen: ocr(3000) } },
    expect: { coveredFen: 12345, patientPaidFen: 12345, benefitFen: 12345, limitedBy: 'covered' },
    findings: { payment_split_incomplete: 'doubt/uncertain' },
  },
  {
    name: 'no items read: a doubt, bounded by what the patient paid',
    inv: { items: [] },
    expect: { coveredFen: 7345, patientPaidFen: 7345, benefitFen: 7345, limitedBy: 'covered' },
    findings: { no_items_read: 'doubt/uncertain', benefit_computed: 'pass/uncertain' },
  },
  {
    name: 'an unsure item amount makes the benefit unsure',
    inv: { items: [item('挂号费', 'registration', 1000), item('西药费', 'western_medicine', 11345, 0.6)] },
    expect: { coveredFen: 7345, patientPaidFen: 7345, benefitFen: 7345, limitedBy: 'covered' },
    findings: { benefit_computed: 'pass/uncertain' },
  },
  {
    name: 'the insurer paid everything: nothing to reimburse',
    inv: { payment: split(12345, 0, 0) },
    expect: { coveredFen: 0, patientPaidFen: 0, benefitFen: 0, limitedBy: 'covered' },
    findings: { nothing_to_reimburse: 'fail/certain', benefit_computed: 'absent' },
  },
  {
    name: 'only uncovered items: nothing to reimburse',
    inv: { items: [item('卫生材料费', 'materials', 12345)] },
    expect: { coveredFen: 0, patientPaidFen: 7345, benefitFen: 0, limitedBy: 'covered' },
    findings: { nothing_to_reimburse: 'fail/certain' },
  },
  {
    name: 'an unclassified item might be covered care',
    inv: { items: [item('某某费', 'other', 12345)] },
    expect: { coveredFen: 0, patientPaidFen: 7345, benefitFen: 0, limitedBy: 'covered' },
    findings: { nothing_to_reimburse: 'fail/uncertain' },
  },
  {
    name: 'no credit now',
    inv: {},
    balances: { balanceNowFen: 0 },
    expect: { coveredFen: 7345, patientPaidFen: 7345, benefitFen: 0, limitedBy: 'balance_now' },
    findings: { no_credit: 'fail/certain' },
  },
  {
    name: 'no credit on the visit day',
    inv: {},
    balances: { balanceAtVisitDayEndFen: 0 },
    expect: { coveredFen: 7345, patientPaidFen: 7345, benefitFen: 0, limitedBy: 'balance_at_visit' },
    findings: { no_credit: 'fail/certain' },
  },
  {
    name: 'no credit on an unsurely read visit day',
    inv: { issueDate: ocr('2026-03-18', 0.5) },
    balances: { balanceAtVisitDayEndFen: 0 },
    expect: { coveredFen: 7345, patientPaidFen: 7345, benefitFen: 0, limitedBy: 'balance_at_visit' },
    findings: { no_credit: 'fail/uncertain' },
  },
  {
    name: 'a debt is no credit, and the benefit is never negative',
    inv: {},
    balances: { balanceAtVisitDayEndFen: 100, balanceNowFen: -500 },
    expect: { coveredFen: 7345, patientPaidFen: 7345, benefitFen: 0, limitedBy: 'balance_now' },
    findings: { no_credit: 'fail/certain' },
  },
  {
    name: 'a pooling figure above the total is a misreading, not a bill paid in full',
    inv: { payment: { poolingFundFen: ocr(20000), personalAccountFen: null, personalCashFen: null } },
    expect: { coveredFen: 12345, patientPaidFen: 12345, benefitFen: 12345, limitedBy: 'covered' },
    findings: { payment_split_mismatch: 'doubt/uncertain', benefit_computed: 'pass/uncertain', nothing_to_reimburse: 'absent' },
  },
];

for (const c of CASES) {
  test(`benefit: ${c.name}`, () => {
    const result = computeBenefit({ invoice: invoice(c.inv), balanceAtVisitDayEndFen: 50_000, balanceNowFen: 50_000, rules, ...c.balances });
    const { findings, ...figures } = result;
    assert.deepEqual(figures, c.expect);
    const found = summary(findings);
    for (const [code, expected] of Object.entries(c.findings)) assert.equal(found[code] ?? 'absent', expected, `${code} in ${JSON.stringify(found)}`);
  });
}

test('the benefit finding shows every bound in yuan', () => {
  const f = benefit(big, { balanceAtVisitDayEndFen: 3000, balanceNowFen: 4000 }).findings.at(-1)!;
  // 350.00 on the bill, nothing paid by a fund (0 from the pooling fund, no other fund printed)
  assert.deepEqual(f.evidence, {
    totalFen: 35000,
    fundsPaidFen: 0,
    coveredFen: 35000,
    patientPaidFen: 35000,
    patientPaidBasis: 'split',
    capFen: 20000,
    balanceAtVisitFen: 3000,
    balanceNowFen: 4000,
    benefitFen: 3000,
    limitedBy: 'balance_at_visit',
  });
  assert.equal(f.en, 'Reimbursable: 30.00 CNY (covered charges 350.00 CNY).');
  assert.equal(f.zh, '可报销 30.00 元（可报费用 350.00 元）。');
});
