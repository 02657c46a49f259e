import Type from 'typebox';
import { Compile } from 'typebox/compile';

/** Every number of the accrual programme is a parameter of a versioned ruleset (DESIGN.md §1). */
export const AccrualRulesSchema = Type.Object(
  {
    creditPerPayerFen: Type.Integer({ minimum: 0, maximum: 100_000, description: 'Credit for each of the first distinct payers of the day' }),
    payersPerDay: Type.Integer({ minimum: 0, maximum: 10_000, description: 'How many distinct payers a day earn' }),
    smallPaymentBelowFen: Type.Integer({ minimum: 0, maximum: 100_000, description: 'Payments under this earn the small-payment credit' }),
    smallPaymentCreditFen: Type.Integer({ minimum: 0, maximum: 100_000 }),
    welcomeCreditFen: Type.Integer({ minimum: 0, maximum: 100_000, description: "Credit for the merchant's very first collection" }),
    collectWindowHours: Type.Integer({ minimum: 0, maximum: 24 * 366, description: 'Hours to collect earned credit before it lapses; 0 = credited at once' }),
    availableCapFen: Type.Integer({ minimum: 0, maximum: 100_000_000, description: 'The available balance never exceeds this; credit over it is not granted' }),
    validityMonths: Type.Integer({ minimum: 1, maximum: 120, description: 'A credit expires this many months after the day it is collected' }),
    signals: Type.Object(
      {
        fanOutMerchantsPerDay: Type.Integer({ minimum: 1, description: 'A payer earning credit for more merchants than this in a day is flagged' }),
        nearThresholdMarginFen: Type.Integer({ minimum: 0, description: 'Payments within this margin above the small-payment threshold are flagged' }),
        oddHoursFrom: Type.Integer({ minimum: 0, maximum: 23 }),
        oddHoursTo: Type.Integer({ minimum: 0, maximum: 24 }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export type AccrualRules = Type.Static<typeof AccrualRulesSchema>;

/** The default ruleset, from the public descriptions of the 2019 programme (seeded by migration 0003). */
export const CLASSIC_2019: AccrualRules = {
  creditPerPayerFen: 200,
  payersPerDay: 10,
  smallPaymentBelowFen: 10,
  smallPaymentCreditFen: 1,
  welcomeCreditFen: 200,
  collectWindowHours: 48,
  availableCapFen: 100_000,
  validityMonths: 6,
  signals: { fanOutMerchantsPerDay: 5, nearThresholdMarginFen: 5, oddHoursFrom: 1, oddHoursTo: 5 },
};

const compiled = Compile(AccrualRulesSchema);

export function rulesProblem(params: unknown): { field: string; message: string } | null {
  if (compiled.Check(params)) {
    const p = params as AccrualRules;
    if (p.smallPaymentCreditFen > p.creditPerPayerFen) return { field: 'smallPaymentCreditFen', message: 'smallPaymentCreditFen cannot exceed creditPerPayerFen' };
    return null;
  }
  const first = [...compiled.Errors(params)][0];
  const field = first?.instancePath.replace(/^\//, '').replaceAll('/', '.') || 'params';
  return { field, message: `${field} ${first?.message ?? 'is invalid'}` };
}

export interface RulesetVersion {
  id: number;
  name: string;
  version: number;
  effectiveFrom: Date;
  rules: AccrualRules;
}

/** The version in force at an instant: the latest one effective at or before it. */
export function rulesetAt(versions: readonly RulesetVersion[], at: Date): RulesetVersion {
  let best: RulesetVersion | undefined;
  for (const v of versions) {
    if (v.effectiveFrom.getTime() <= at.getTime() && (!best || v.effectiveFrom.getTime() > best.effectiveFrom.getTime())) best = v;
  }
  if (!best) throw new Error(`no ruleset in force at ${at.toISOString()}`);
  return best;
}
