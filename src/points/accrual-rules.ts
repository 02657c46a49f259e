import Type from 'typebox';
import { schemaProblems, type SchemaProblem } from '../shared/schema-problem.ts';

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

const schemaProblem = schemaProblems(AccrualRulesSchema);

export function rulesProblem(params: unknown): SchemaProblem | null {
  const problem = schemaProblem(params);
  if (problem) return problem;
  const p = params as AccrualRules;
  if (p.smallPaymentCreditFen > p.creditPerPayerFen) return { field: 'smallPaymentCreditFen', message: 'smallPaymentCreditFen cannot exceed creditPerPayerFen' };
  return null;
}

/** One version of a ruleset: accrual's rules by default, a claims ruleset's with `R`. */
export interface RulesetVersion<R = AccrualRules> {
  id: number;
  name: string;
  version: number;
  effectiveFrom: Date;
  /** Governs payments; an unadopted version is an alternative that only simulations run. */
  adopted: boolean;
  rules: R;
}

/**
 * The version in force at an instant: the latest adopted one effective at or before it. A payment
 * dated before the programme began is judged by the first adopted version, not refused.
 */
export function rulesetAt<R>(versions: readonly RulesetVersion<R>[], at: Date): RulesetVersion<R> {
  let best: RulesetVersion<R> | undefined;
  let first: RulesetVersion<R> | undefined;
  for (const v of versions) {
    if (!v.adopted) continue;
    const from = v.effectiveFrom.getTime();
    if (!first || from < first.effectiveFrom.getTime()) first = v;
    if (from <= at.getTime() && (!best || from > best.effectiveFrom.getTime())) best = v;
  }
  const found = best ?? first;
  if (!found) throw new Error('no adopted ruleset: the database has none (migration 0003 seeds classic-2019)');
  return found;
}
