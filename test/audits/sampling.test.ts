import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { auditDraw, OVERPAID_REASONS, overpaidText, samplePoint } from '../../src/audits/index.ts';

const settings = { share: 0.05, alwaysFromFen: 30_000, key: 'a-test-key-of-sixteen' };
const ids = Array.from({ length: 20_000 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);

test('the draw is a function of the claim and the key: the same claim is drawn again, another key draws others', () => {
  const drawn = ids.filter((id) => auditDraw(id, 1_000, settings) === 'sample');
  assert.deepEqual(ids.filter((id) => auditDraw(id, 1_000, settings) === 'sample'), drawn, 'a replay draws the same claims');
  const other = new Set(ids.filter((id) => auditDraw(id, 1_000, { ...settings, key: 'another-key-of-sixteen' }) === 'sample'));
  assert.ok(drawn.filter((id) => other.has(id)).length < drawn.length / 4, 'another key draws a different sample');
  // 5 % of 20,000 is 1,000; a binomial's 4 standard deviations are 123
  assert.ok(Math.abs(drawn.length - 1_000) < 123, `${drawn.length} of 20,000 drawn at 5 %`);
});

test('every claim from the threshold up is audited, whatever its hash; share 0 draws none below it, share 1 all', () => {
  const id = randomUUID();
  assert.equal(auditDraw(id, 30_000, { ...settings, share: 0 }), 'amount');
  assert.equal(auditDraw(id, 29_999, { ...settings, share: 0 }), null);
  assert.equal(auditDraw(id, 29_999, { ...settings, share: 1 }), 'sample');
  const point = samplePoint(id, settings.key);
  assert.ok(point >= 0 && point < 1);
  assert.equal(auditDraw(id, 100, { ...settings, share: point }), null, 'the share is a half-open interval: a point on its edge is outside');
  assert.equal(auditDraw(id, 100, { ...settings, share: Math.min(1, point + 1e-9) }), 'sample');
});

test('the merchant is told what was paid, what was due, why and how it is taken back, in both languages', () => {
  const text = overpaidText({ paidFen: 12_000, dueFen: 8_000, fromCreditFen: 1_500, asDebtFen: 2_500, reasonCode: 'excluded_items', note: '含美容项目' });
  assert.equal(
    text.zh,
    '报销抽查：这笔报销已付 ¥120.00，应付 ¥80.00，多付 ¥40.00。原因：票据含有不予报销的项目。从您的可用额度扣回 ¥15.00，¥25.00 记为欠款，将从您之后领取的额度中抵扣。审核说明：含美容项目',
  );
  assert.equal(
    text.en,
    "Audit of a paid claim: ¥120.00 was paid where ¥80.00 was due, ¥40.00 too much, because the invoice includes items the programme does not cover. ¥15.00 is taken from your available credit; ¥25.00 is recorded as debt, repaid from the credit you collect next. Reviewer's note: 含美容项目",
  );
  const allCredit = overpaidText({ paidFen: 5_000, dueFen: 0, fromCreditFen: 5_000, asDebtFen: 0, reasonCode: 'not_covered', note: null });
  assert.ok(!allCredit.zh.includes('欠款') && !allCredit.en.includes('debt'), 'no debt, no word of it');
  for (const words of Object.values(OVERPAID_REASONS)) assert.ok(words.zh && words.en);
});
