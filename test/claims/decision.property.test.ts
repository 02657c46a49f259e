import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { computeBenefit, type Benefit } from '../../src/claims/benefit.ts';
import { APPROVAL_REQUIRES, decideClaim } from '../../src/claims/decision.ts';
import { CLAIM_FINDING_OUTCOMES, type ClaimFinding, type ClaimFindingCode } from '../../src/claims/findings.ts';
import { CHARGE_CATEGORIES } from '../../src/recognition/categories.ts';
import type { Field, Invoice, LineItem } from '../../src/recognition/types.ts';
import { invoice, rules } from './support.ts';

const CODES = Object.keys(CLAIM_FINDING_OUTCOMES) as ClaimFindingCode[];

/** Any finding at all, including combinations the factory never makes (a certain doubt). */
const anyFinding: fc.Arbitrary<ClaimFinding> = fc.record({
  code: fc.constantFrom(...CODES),
  outcome: fc.constantFrom('pass' as const, 'fail' as const, 'doubt' as const),
  ground: fc.constantFrom('certain' as const, 'uncertain' as const),
  zh: fc.constant('…'),
  en: fc.constant('…'),
  evidence: fc.constant({}),
});

const surePasses: ClaimFinding[] = APPROVAL_REQUIRES.map((code) => ({ code, outcome: 'pass', ground: 'certain', zh: '…', en: '…', evidence: {} }));

/** Half the time the full set of sure passes plus a few extras, so that approval is reachable. */
const findingSets = fc.oneof(
  fc.array(anyFinding, { maxLength: 20 }),
  fc.array(anyFinding, { maxLength: 3 }).map((extra) => [...surePasses, ...extra]),
);

const anyBenefit: fc.Arbitrary<Benefit> = fc.record({
  coveredFen: fc.nat(100_000),
  patientPaidFen: fc.nat(100_000),
  benefitFen: fc.nat(20_000),
  limitedBy: fc.constantFrom('covered' as const, 'cap' as const, 'balance_at_visit' as const, 'balance_now' as const),
  findings: fc.array(anyFinding, { maxLength: 3 }),
});

test('property: approve only when every finding is a sure pass; reject only on a certain failure', () => {
  let approvals = 0;
  fc.assert(
    fc.property(findingSets, anyBenefit, (findings, benefit) => {
      const all = [...findings, ...benefit.findings];
      const { decision, reasonCodes } = decideClaim(findings, benefit);
      if (decision === 'approve') {
        approvals++;
        assert.ok(all.every((f) => f.outcome === 'pass' && f.ground === 'certain'));
        assert.ok(benefit.benefitFen > 0);
        assert.deepEqual(reasonCodes, []);
      }
      const certainFails = all.filter((f) => f.outcome === 'fail' && f.ground === 'certain');
      assert.equal(decision === 'reject', certainFails.length > 0, 'a doubt never rejects; a certain failure always does');
      if (decision === 'reject') assert.deepEqual(new Set(reasonCodes), new Set(certainFails.map((f) => f.code)));
      if (decision === 'review') assert.ok(reasonCodes.length > 0, 'a review always says why');
    }),
    { numRuns: 2000 },
  );
  assert.ok(approvals > 0, 'the generator reaches approvals');
});

const money = (max: number): fc.Arbitrary<Field<number>> =>
  fc.record({ value: fc.integer({ min: -1000, max }), confidence: fc.double({ min: 0, max: 1, noNaN: true }), source: fc.constantFrom('ocr' as const, 'derived' as const) });

const lineItem: fc.Arbitrary<LineItem> = fc.record({
  name: fc.constantFrom('挂号费', '西药费', '检查费', '口腔治疗费', '卫生材料费', '某某费', '产前检查费'),
  category: fc.constantFrom(...CHARGE_CATEGORIES),
  amountFen: fc.integer({ min: -500, max: 60_000 }),
  confidence: fc.double({ min: 0, max: 1, noNaN: true }),
});

const anyInvoice: fc.Arbitrary<Invoice> = fc
  .record({
    items: fc.array(lineItem, { maxLength: 8 }),
    totalFen: fc.option(money(200_000)),
    poolingFundFen: fc.option(money(200_000)),
    personalAccountFen: fc.option(money(200_000)),
    personalCashFen: fc.option(money(200_000)),
    insurance: fc.option(fc.constantFrom('自费', '职工基本医疗保险', '城乡居民基本医疗保险')),
  })
  .map((r) =>
    invoice({
      items: r.items,
      totalFen: r.totalFen,
      payment: { poolingFundFen: r.poolingFundFen, personalAccountFen: r.personalAccountFen, personalCashFen: r.personalCashFen },
      insuranceType: r.insurance === null ? null : { value: r.insurance, confidence: 0.95, source: 'ocr' },
    }),
  );

test('property: the benefit is the smallest of the four bounds, never negative', () => {
  fc.assert(
    fc.property(anyInvoice, fc.integer({ min: -5000, max: 150_000 }), fc.integer({ min: -5000, max: 150_000 }), (inv, atVisit, now) => {
      const b = computeBenefit({ invoice: inv, balanceAtVisitDayEndFen: atVisit, balanceNowFen: now, rules });
      assert.ok(Number.isSafeInteger(b.benefitFen) && b.benefitFen >= 0);
      for (const bound of [b.coveredFen, rules.perClaimCapFen, atVisit, now]) assert.ok(b.benefitFen <= Math.max(0, bound));
      assert.equal(b.benefitFen, Math.max(0, Math.min(b.coveredFen, rules.perClaimCapFen, atVisit, now)));
      assert.ok(b.coveredFen >= 0 && b.coveredFen <= b.patientPaidFen, 'covered charges never exceed what the patient paid');
      assert.ok(b.patientPaidFen <= Math.max(0, inv.totalFen?.value ?? Infinity), 'the patient never paid more than the total');
      const outcome = b.findings.at(-1)!;
      assert.equal(outcome.code === 'benefit_computed', b.benefitFen > 0);
      if (b.benefitFen === 0) assert.ok(outcome.outcome === 'fail', 'a zero benefit says why');
    }),
    { numRuns: 2000 },
  );
});
