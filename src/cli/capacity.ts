/**
 * `carepoints capacity --merchants N [--results DIR] [--json]`: the national capacity plan from the
 * latest bench results (bench/results/*.json, committed and rewritten by each bench run).
 */
import path from 'node:path';
import { BenchResultsError, DEFAULT_ASSUMPTIONS, loadMeasuredRates, planCapacity, renderPlan } from '../capacity/index.ts';

export const MAX_PLAN_MERCHANTS = 1_000_000_000;
const DEFAULT_RESULTS_DIR = path.resolve(import.meta.dirname, '../../bench/results');

export const CAPACITY_USAGE = `usage: carepoints capacity --merchants N [--results DIR] [--json]
  --merchants N    merchants in the programme (1–${MAX_PLAN_MERCHANTS.toLocaleString('en')})
  --results DIR    bench result files (default: the project's bench/results)
  --json           the plan, the measured rates with their sources and the assumptions as JSON`;

export interface CapacityOptions {
  merchants: number;
  resultsDir: string;
  json: boolean;
}

/** The flags, or the reason they are wrong. */
export function parseCapacityArgs(args: readonly string[]): CapacityOptions | { problem: string } {
  let merchants: string | undefined;
  let resultsDir: string | undefined;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const [name, inline] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    if (name === '--json' && inline === undefined) {
      json = true;
      continue;
    }
    if (name !== '--merchants' && name !== '--results') return { problem: `unknown option "${arg}"` };
    if ((name === '--merchants' ? merchants : resultsDir) !== undefined) return { problem: `${name} is given twice` };
    const value = inline ?? args[++i];
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) return { problem: `${name} needs a value` };
    if (name === '--merchants') merchants = value;
    else resultsDir = value;
  }
  if (merchants === undefined) return { problem: '--merchants is required' };
  const n = /^[0-9]{1,10}$/.test(merchants) ? Number(merchants) : NaN;
  if (!(n >= 1 && n <= MAX_PLAN_MERCHANTS)) return { problem: `--merchants must be a whole number from 1 to ${MAX_PLAN_MERCHANTS.toLocaleString('en')}, got "${merchants}"` };
  return { merchants: n, resultsDir: path.resolve(resultsDir ?? DEFAULT_RESULTS_DIR), json };
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
  const plan = planCapacity(options.merchants, rates, DEFAULT_ASSUMPTIONS);
  const shown = path.relative(process.cwd(), options.resultsDir) || '.';
  if (options.json) console.log(JSON.stringify({ plan, rates, assumptions: DEFAULT_ASSUMPTIONS, resultsDir: options.resultsDir }, null, 2));
  else process.stdout.write(renderPlan(plan, rates, DEFAULT_ASSUMPTIONS, shown));
  return 0;
}
