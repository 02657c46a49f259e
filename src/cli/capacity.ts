/**
 * `carepoints capacity --merchants N [--credits-per-merchant C] [--results DIR] [--json]`: the national
 * capacity plan from the latest bench results (bench/results/*.json, committed and rewritten by each
 * bench run).
 */
import path from 'node:path';
import { BenchResultsError, DEFAULT_ASSUMPTIONS, loadMeasuredRates, planCapacity, renderPlan, type Assumptions } from '../capacity/index.ts';

export const MAX_PLAN_MERCHANTS = 1_000_000_000;
const DEFAULT_RESULTS_DIR = path.resolve(import.meta.dirname, '../../bench/results');

const NOTIFICATIONS_A_DAY = DEFAULT_ASSUMPTIONS.notificationsPerMerchantPerDay.value;

export const CAPACITY_USAGE = `usage: carepoints capacity --merchants N [--credits-per-merchant C] [--results DIR] [--json]
  --merchants N               merchants in the programme (1–${MAX_PLAN_MERCHANTS.toLocaleString('en')})
  --credits-per-merchant C    credits a merchant earns a day, on average (0–${NOTIFICATIONS_A_DAY}, up to 2 decimals;
                              default ${DEFAULT_ASSUMPTIONS.creditsPerMerchantPerDay.value}: every merchant at the classic rules' cap, an upper bound)
  --results DIR               bench result files (default: the project's bench/results)
  --json                      the plan, the measured rates with their sources and the assumptions as JSON`;

export interface CapacityOptions {
  merchants: number;
  /** null: the default assumption */
  creditsPerMerchant: number | null;
  resultsDir: string;
  json: boolean;
}

const VALUED_FLAGS = ['--merchants', '--credits-per-merchant', '--results'] as const;
type ValuedFlag = (typeof VALUED_FLAGS)[number];

/** The flags, or the reason they are wrong. */
export function parseCapacityArgs(args: readonly string[]): CapacityOptions | { problem: string } {
  const values = new Map<ValuedFlag, string>();
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const [name, inline] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    if (name === '--json' && inline === undefined) {
      json = true;
      continue;
    }
    const flag = VALUED_FLAGS.find((f) => f === name);
    if (!flag) return { problem: `unknown option "${arg}"` };
    if (values.has(flag)) return { problem: `${flag} is given twice` };
    const value = inline ?? args[++i];
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) return { problem: `${flag} needs a value` };
    values.set(flag, value);
  }
  const merchants = values.get('--merchants');
  if (merchants === undefined) return { problem: '--merchants is required' };
  const n = /^[0-9]{1,10}$/.test(merchants) ? Number(merchants) : NaN;
  if (!(n >= 1 && n <= MAX_PLAN_MERCHANTS)) return { problem: `--merchants must be a whole number from 1 to ${MAX_PLAN_MERCHANTS.toLocaleString('en')}, got "${merchants}"` };
  const credits = values.get('--credits-per-merchant');
  const c = credits === undefined ? null : /^[0-9]{1,2}(\.[0-9]{1,2})?$/.test(credits) ? Number(credits) : NaN;
  if (c !== null && !(c >= 0 && c <= NOTIFICATIONS_A_DAY)) {
    return { problem: `--credits-per-merchant must be a number from 0 to ${NOTIFICATIONS_A_DAY} (the notifications a merchant gets a day) with at most 2 decimals, got "${credits}"` };
  }
  return { merchants: n, creditsPerMerchant: c, resultsDir: path.resolve(values.get('--results') ?? DEFAULT_RESULTS_DIR), json };
}

/** The default assumptions, with what the command line says instead. */
function assumptionsOf(options: CapacityOptions): Assumptions {
  if (options.creditsPerMerchant === null) return DEFAULT_ASSUMPTIONS;
  return {
    ...DEFAULT_ASSUMPTIONS,
    creditsPerMerchantPerDay: { ...DEFAULT_ASSUMPTIONS.creditsPerMerchantPerDay, value: options.creditsPerMerchant, why: 'given on the command line (--credits-per-merchant)' },
  };
}

export function capacityCommand(args: readonly string[]): number {
  if (args.includes('--help')) {
    console.log(CAPACITY_USAGE);
    return 0;
  }
  const options = parseCapacityArgs(args);
  if ('problem' in options) {
    console.error(`${options.problem}\n${CAPACITY_USAGE}`);
    return 2;
  }
  let rates;
  try {
    rates = loadMeasuredRates(options.resultsDir);
  } catch (err) {
    if (!(err instanceof BenchResultsError)) throw err;
    console.error(err.message);
    return 2;
  }
  const assumptions = assumptionsOf(options);
  const plan = planCapacity(options.merchants, rates, assumptions);
  const shown = path.relative(process.cwd(), options.resultsDir) || '.';
  if (options.json) console.log(JSON.stringify({ plan, rates, assumptions, resultsDir: options.resultsDir }, null, 2));
  else process.stdout.write(renderPlan(plan, rates, assumptions, shown));
  return 0;
}
