/**
 * `carepoints simulate` flags: each checked with a specific message before anything is created or
 * written (exit code 2 on any problem).
 */
import fs from 'node:fs';
import path from 'node:path';
import { SIMULATION_RULESETS, DEFAULT_RULESET } from './rulesets.ts';
import { DEFAULT_CLAIM_RATE, DEFAULT_FRAUD_RATE, DEFAULT_START, type World } from './world.ts';

export const MAX_MERCHANTS = 30_000_000;
export const MAX_DAYS = 366;

/** The seed programme's city: a first run with no --city simulates it (and says so). */
export const DEFAULT_CITY = '广州';

export const SIMULATE_USAGE = `usage: carepoints simulate --merchants N --days D [--city CITY] [options]
  --merchants N         merchants in the programme by the last day (1–${MAX_MERCHANTS.toLocaleString('en')})
  --days D              business days to simulate (1–${MAX_DAYS})
  --city CITY           a city of the hospital registry (default ${DEFAULT_CITY}, the seed programme's)
  --ruleset NAME        accrual ruleset (default ${DEFAULT_RULESET}; one of ${Object.keys(SIMULATION_RULESETS).join(', ')})
  --compare A,B         run the same world under two rulesets and report them side by side
  --fraud-rate R        share of merchants farming in rings and of claims forged, 0–0.5 (default ${DEFAULT_FRAUD_RATE})
  --claim-rate R        claims a day per merchant holding credit, 0–1 (default 1/2500 = ${DEFAULT_CLAIM_RATE})
  --seed S              integer 0–2147483647 (default 1): the same seed gives the same world
  --start YYYY-MM-DD    first business day (default ${DEFAULT_START})
  --budget-fen N        the city's credit budget for each month simulated, in fen (default none): once
                        reached, the city's payments earn nothing until the month ends
  --out DIR             where report.html and report.json go (default ./simulation)
  --fresh               start again instead of resuming an interrupted run of the same world`;

export class SimulateUsageError extends Error {
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(message);
    this.name = 'SimulateUsageError';
  }
}

export interface SimulateOptions {
  /** One world per ruleset: one, or two with --compare. */
  worlds: World[];
  out: string;
  fresh: boolean;
  /** No --city was given: the world is DEFAULT_CITY's. */
  cityDefaulted: boolean;
}

const VALUE_FLAGS = ['--merchants', '--days', '--city', '--ruleset', '--compare', '--fraud-rate', '--claim-rate', '--seed', '--start', '--budget-fen', '--out'] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];

function integer(flag: string, raw: string, min: number, max: number): number {
  if (!/^[0-9]+$/.test(raw)) throw new SimulateUsageError(flag, `${flag} must be a whole number from ${min} to ${max}, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new SimulateUsageError(flag, `${flag} must be from ${min.toLocaleString('en')} to ${max.toLocaleString('en')}, got ${raw}`);
  return n;
}

function share(flag: string, raw: string, max: number): number {
  const fraction = /^1\/[1-9][0-9]{0,8}$/.test(raw) ? 1 / Number(raw.slice(2)) : /^(0|[1-9][0-9]*)?(\.[0-9]+)?$/.test(raw) && raw !== '' && raw !== '.' ? Number(raw) : NaN;
  if (!Number.isFinite(fraction) || fraction < 0 || fraction > max) throw new SimulateUsageError(flag, `${flag} must be a number from 0 to ${max} (or 1/N), got "${raw}"`);
  return fraction;
}

function calendarDay(flag: string, raw: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw);
  const date = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!m || !date || date.toISOString().slice(0, 10) !== raw || Number(m[1]) < 2001 || Number(m[1]) > 2098) {
    throw new SimulateUsageError(flag, `${flag} must be a calendar date YYYY-MM-DD between 2001 and 2098, got "${raw}"`);
  }
  return raw;
}

function rulesetName(flag: string, raw: string): string {
  if (!(raw in SIMULATION_RULESETS)) throw new SimulateUsageError(flag, `unknown ruleset "${raw}" for ${flag}: use one of ${Object.keys(SIMULATION_RULESETS).join(', ')}`);
  return raw;
}

/** The output directory must be a writable directory, or creatable in a writable one; nothing is created here. */
function outputDirectory(raw: string): string {
  const dir = path.resolve(raw);
  const existing = fs.statSync(dir, { throwIfNoEntry: false });
  const probe = existing ? dir : path.dirname(dir);
  if (existing && !existing.isDirectory()) throw new SimulateUsageError('--out', `--out ${raw} exists and is not a directory`);
  const parent = fs.statSync(probe, { throwIfNoEntry: false });
  if (!parent?.isDirectory()) throw new SimulateUsageError('--out', `--out ${raw}: its parent directory ${probe} does not exist`);
  try {
    fs.accessSync(probe, fs.constants.W_OK);
  } catch {
    throw new SimulateUsageError('--out', `--out ${raw}: ${probe} is not writable`);
  }
  return dir;
}

function readFlags(args: readonly string[]): { values: Partial<Record<ValueFlag, string>>; fresh: boolean } {
  const values: Partial<Record<ValueFlag, string>> = {};
  let fresh = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (name === '--fresh' && inline === undefined) {
      fresh = true;
      continue;
    }
    if (!(VALUE_FLAGS as readonly string[]).includes(name)) throw new SimulateUsageError(name, `unknown option "${arg}"`);
    const flag = name as ValueFlag;
    if (values[flag] !== undefined) throw new SimulateUsageError(flag, `${flag} is given twice`);
    const value = inline ?? args[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new SimulateUsageError(flag, `${flag} needs a value`);
    values[flag] = value;
  }
  return { values, fresh };
}

export function parseSimulateArgs(args: readonly string[], cities: readonly string[]): SimulateOptions {
  const { values, fresh } = readFlags(args);
  for (const required of ['--merchants', '--days'] as const) {
    if (values[required] === undefined) throw new SimulateUsageError(required, `${required} is required`);
  }
  const merchants = integer('--merchants', values['--merchants']!, 1, MAX_MERCHANTS);
  const days = integer('--days', values['--days']!, 1, MAX_DAYS);
  const city = (values['--city'] ?? DEFAULT_CITY).replace(/市$/, '');
  if (!cities.includes(city)) throw new SimulateUsageError('--city', `unknown city "${values['--city'] ?? DEFAULT_CITY}": use a city of the hospital registry, e.g. ${cities.slice(0, 8).join(', ')}`);
  if (values['--ruleset'] !== undefined && values['--compare'] !== undefined) throw new SimulateUsageError('--compare', '--compare names both rulesets: leave out --ruleset');
  let rulesets = [rulesetName('--ruleset', values['--ruleset'] ?? DEFAULT_RULESET)];
  if (values['--compare'] !== undefined) {
    const names = values['--compare'].split(',');
    if (names.length !== 2) throw new SimulateUsageError('--compare', `--compare takes two rulesets separated by a comma, got "${values['--compare']}"`);
    rulesets = names.map((n) => rulesetName('--compare', n.trim()));
    if (rulesets[0] === rulesets[1]) throw new SimulateUsageError('--compare', '--compare needs two different rulesets');
  }
  const base = {
    merchants,
    days,
    city,
    fraudRate: values['--fraud-rate'] === undefined ? DEFAULT_FRAUD_RATE : share('--fraud-rate', values['--fraud-rate'], 0.5),
    claimRate: values['--claim-rate'] === undefined ? DEFAULT_CLAIM_RATE : share('--claim-rate', values['--claim-rate'], 1),
    seed: values['--seed'] === undefined ? 1 : integer('--seed', values['--seed'], 0, 2_147_483_647),
    start: values['--start'] === undefined ? DEFAULT_START : calendarDay('--start', values['--start']),
    ...(values['--budget-fen'] === undefined ? {} : { budgetFen: integer('--budget-fen', values['--budget-fen'], 1, 10_000_000_000_000) }),
  };
  return { worlds: rulesets.map((ruleset) => ({ ...base, ruleset })), out: outputDirectory(values['--out'] ?? 'simulation'), fresh, cityDefaulted: values['--city'] === undefined };
}
