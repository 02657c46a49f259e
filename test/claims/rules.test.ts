import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeBenefit } from '../../src/claims/benefit.ts';
import { checkClaim } from '../../src/claims/checks.ts';
import { textExclusion } from '../../src/claims/exclusions.ts';
import { CLAIM_FINDING_OUTCOMES } from '../../src/claims/findings.ts';
import { CLASSIC_2019_CLAIM_RULES, claimRulesProblem } from '../../src/claims/rules.ts';
import { claimInput, HOSPITALS, invoice } from './support.ts';

test('the classic-2019 rules are the published ones', () => {
  const r = CLASSIC_2019_CLAIM_RULES;
  assert.equal(r.perClaimCapFen, 20_000);
  assert.equal(r.maxVisitAgeDays, 30);
  assert.deepEqual([...r.eligibleGrades].sort(), ['2A', '2B', '2C', '3A', '3B', '3C']);
  assert.deepEqual(r.eligibleOwnership, ['public']);
  assert.deepEqual(
    [...r.coveredCategories].sort(),
    ['chinese_herbal_medicine', 'chinese_patent_medicine', 'consultation', 'examination', 'laboratory', 'registration', 'treatment', 'western_medicine'],
  );
  assert.deepEqual(r.exclusions.map((e) => e.reason), ['dental', 'obstetrics', 'cosmetic', 'health_products', 'fight_or_alcohol']);
  assert.equal(claimRulesProblem(r), null);
});

test('invalid rules name the field at fault', () => {
  assert.deepEqual(claimRulesProblem({ ...CLASSIC_2019_CLAIM_RULES, perClaimCapFen: -1 })?.field, 'perClaimCapFen');
  assert.deepEqual(claimRulesProblem({ ...CLASSIC_2019_CLAIM_RULES, eligibleGrades: ['4A'] })?.field, 'eligibleGrades.0');
  assert.deepEqual(claimRulesProblem({ ...CLASSIC_2019_CLAIM_RULES, minConfidence: 2 })?.field, 'minConfidence');
  assert.notEqual(claimRulesProblem({ ...CLASSIC_2019_CLAIM_RULES, extra: 1 }), null);
  assert.notEqual(claimRulesProblem(null), null);
});

test('exclusion words catch the excluded care and leave ordinary charges alone', () => {
  const excluded: [string, string][] = [
    ['口腔检查费', 'dental'],
    ['牙周洁治', 'dental'],
    ['产科检查费', 'obstetrics'],
    ['分娩镇痛', 'obstetrics'],
    ['孕期检查', 'obstetrics'],
    ['激光美容', 'cosmetic'],
    ['整形外科治疗费', 'cosmetic'],
    ['保健品', 'health_products'],
    ['斗殴外伤清创', 'fight_or_alcohol'],
    ['酒精中毒治疗费', 'fight_or_alcohol'],
  ];
  for (const [name, reason] of excluded) assert.equal(textExclusion(name, CLASSIC_2019_CLAIM_RULES)?.rule.reason, reason, name);
  const ordinary = ['挂号费', '诊察费', '西药费', '中成药费', '中草药费', '检查费', '化验费', '治疗费', '卫生材料费', '阿莫西林胶囊', '复方丹参滴丸', '藿香正气口服液', '板蓝根颗粒'];
  for (const name of ordinary) assert.equal(textExclusion(name, CLASSIC_2019_CLAIM_RULES), null, name);
});

test('every number is a parameter: another ruleset decides otherwise', () => {
  const generous = { ...CLASSIC_2019_CLAIM_RULES, perClaimCapFen: 5000, eligibleGrades: [...CLASSIC_2019_CLAIM_RULES.eligibleGrades, '1A' as const], maxVisitAgeDays: 60 };
  const codes = checkClaim(claimInput({ rules: generous, hospital: HOSPITALS.community1A })).map((f) => f.code);
  assert.ok(codes.includes('hospital_grade_eligible'));
  const benefit = computeBenefit({ invoice: invoice(), balanceAtVisitDayEndFen: 50_000, balanceNowFen: 50_000, rules: generous });
  assert.deepEqual([benefit.benefitFen, benefit.limitedBy], [5000, 'cap']);
});

test('finding codes are stable snake_case and each has one outcome', () => {
  for (const [code, outcome] of Object.entries(CLAIM_FINDING_OUTCOMES)) {
    assert.match(code, /^[a-z][a-z0-9_]{2,63}$/);
    assert.ok(['pass', 'fail', 'doubt'].includes(outcome));
  }
});
