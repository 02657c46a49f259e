import { CLASSIC_2019, type AccrualRules } from '../../src/points/accrual-rules.ts';

/**
 * The rulesets a simulation can run under, by name: the programme's own and the alternatives a
 * programme designer weighs (what 1 CNY instead of 2, 20 payers instead of 10, or no collection step
 * would cost and cover). Published and adopted in the simulation's own database, never the product's.
 */
export const SIMULATION_RULESETS: Readonly<Record<string, AccrualRules>> = {
  'classic-2019': CLASSIC_2019,
  'instant-credit': { ...CLASSIC_2019, collectWindowHours: 0 },
  'one-yuan-ten-payers': { ...CLASSIC_2019, creditPerPayerFen: 100 },
  'one-yuan-twenty-payers': { ...CLASSIC_2019, creditPerPayerFen: 100, payersPerDay: 20 },
  'two-yuan-five-payers': { ...CLASSIC_2019, payersPerDay: 5 },
  'low-cap-200-yuan': { ...CLASSIC_2019, availableCapFen: 20_000 },
};

export const DEFAULT_RULESET = 'classic-2019';
