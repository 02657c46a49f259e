/** The console's ruleset form reads every parameter, its unit and its bounds from the rules' own schema. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AccrualRulesSchema, CLASSIC_2019 } from '../../src/points/accrual-rules.ts';
import { RULE_WORDS_EN, RULE_WORDS_ZH, ruleChanges, ruleParams, unitOf } from '../../web/console/ruleset-params.ts';

test('every parameter of the schema, with its unit and bounds, as written in the schema', () => {
  const params = ruleParams(JSON.parse(JSON.stringify(AccrualRulesSchema)));
  assert.deepEqual(
    params.map((p) => `${p.path.join('.')} ${p.unit} ${p.minimum}–${p.maximum}`),
    [
      'creditPerPayerFen fen 0–100000',
      'payersPerDay perDay 0–10000',
      'smallPaymentBelowFen fen 0–100000',
      'smallPaymentCreditFen fen 0–100000',
      'welcomeCreditFen fen 0–100000',
      'collectWindowHours hours 0–8784',
      'availableCapFen fen 0–100000000',
      'validityMonths months 1–120',
      'signals.fanOutMerchantsPerDay perDay 1–null',
      'signals.nearThresholdMarginFen fen 0–null',
      'signals.oddHoursFrom hourOfDay 0–23',
      'signals.oddHoursTo hourOfDay 0–24',
    ],
  );
  assert.throws(() => unitOf('payers'), /names no unit/);
});

test('each parameter is named in both languages', () => {
  for (const { path } of ruleParams(AccrualRulesSchema)) {
    const key = path.at(-1)!;
    for (const words of [RULE_WORDS_ZH, RULE_WORDS_EN]) assert.ok(words.param[key as keyof typeof words.param], `${key} is named`);
  }
});

test('the changes from the rules in force, nested ones by path', () => {
  const proposed = { ...CLASSIC_2019, creditPerPayerFen: 300, signals: { ...CLASSIC_2019.signals, oddHoursTo: 6 } };
  assert.deepEqual(ruleChanges(CLASSIC_2019, proposed), [
    { key: 'creditPerPayerFen', from: 200, to: 300 },
    { key: 'signals.oddHoursTo', from: 5, to: 6 },
  ]);
  assert.deepEqual(ruleChanges(CLASSIC_2019, CLASSIC_2019), []);
});
