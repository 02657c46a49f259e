/**
 * A hospital as the programme's registry keeps it: grade, ownership and type decide what a claim
 * pays; the registry's CSV (the seed and operators' imports) is read and checked here.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { createHospitalRegistry, type HospitalRegistry } from '../recognition/hospitals.ts';

export const HOSPITAL_GRADES = ['3A', '3B', '3C', '2A', '2B', '2C', '1A', '1B', '1C', 'unrated'] as const;
export type HospitalGrade = (typeof HOSPITAL_GRADES)[number];
export const HOSPITAL_TYPES = ['general', 'tcm', 'maternity', 'dental', 'children', 'cosmetic', 'community', 'specialty'] as const;
export type HospitalType = (typeof HOSPITAL_TYPES)[number];
export type HospitalOwnership = 'public' | 'private';

export interface Hospital {
  readonly id: string;
  readonly name: string;
  readonly aliases: readonly string[];
  readonly province: string;
  readonly city: string;
  readonly grade: HospitalGrade;
  readonly ownership: HospitalOwnership;
  readonly type: HospitalType;
}

export const DEFAULT_HOSPITALS_CSV = path.resolve(import.meta.dirname, '../../seed/hospitals.csv');

export class HospitalRegistryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HospitalRegistryError';
  }
}

export const HOSPITAL_OWNERSHIPS = ['public', 'private'] as const satisfies readonly HospitalOwnership[];
const REQUIRED_COLUMNS = ['id', 'name', 'province', 'city', 'grade', 'ownership', 'type'] as const;
/** Explicit limits, the same as the database's checks on `hospitals` (migration 0024). */
export const HOSPITAL_LIMITS = { nameChars: 100, placeChars: 32, aliases: 20 } as const;
const ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/** One fault of a CSV row, by its line in the file (the header is line 1). */
export interface HospitalLineError {
  readonly line: number;
  readonly message: string;
}

function oneOf<T extends string>(allowed: readonly T[], value: string, what: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new HospitalRegistryError(`${what} "${value}" is not one of ${allowed.join(', ')}`);
  return value as T;
}

// control characters (a NUL above all, which PostgreSQL's text and jsonb refuse) are no part of a name
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

function hospitalOf(r: Record<string, string | undefined>, faults: string[]): Hospital | null {
  const unprintable = Object.entries(r).find(([, value]) => value !== undefined && CONTROL_CHARACTER.test(value));
  if (unprintable) faults.push(`${unprintable[0]} holds a control character`);
  const field = (name: string, maxChars: number): string => {
    const value = r[name];
    if (value === undefined || value === '') faults.push(`missing ${name}`);
    else if ([...value].length > maxChars) faults.push(`${name} is longer than ${maxChars} characters`);
    return value ?? '';
  };
  const choice = <T extends string>(allowed: readonly T[], name: string): T => {
    const value = field(name, 16);
    if (value === '') return value as T;
    try {
      return oneOf(allowed, value, name);
    } catch (err) {
      faults.push((err as Error).message);
      return value as T;
    }
  };
  const id = field('id', 32);
  if (id !== '' && !ID_PATTERN.test(id)) faults.push(`id "${id}" must be 1-32 letters, digits, "_" or "-"`);
  const aliases = (r.aliases ?? '').split('|').map((a) => a.trim()).filter((a) => a !== '');
  if (aliases.length > HOSPITAL_LIMITS.aliases) faults.push(`more than ${HOSPITAL_LIMITS.aliases} aliases`);
  if (aliases.some((a) => [...a].length > HOSPITAL_LIMITS.nameChars)) faults.push(`an alias is longer than ${HOSPITAL_LIMITS.nameChars} characters`);
  const hospital = {
    id,
    name: field('name', HOSPITAL_LIMITS.nameChars),
    aliases,
    province: field('province', HOSPITAL_LIMITS.placeChars),
    city: field('city', HOSPITAL_LIMITS.placeChars),
    grade: choice(HOSPITAL_GRADES, 'grade'),
    ownership: choice(HOSPITAL_OWNERSHIPS, 'ownership'),
    type: choice(HOSPITAL_TYPES, 'type'),
  };
  return faults.length ? null : hospital;
}

/**
 * Columns: id,name,aliases,province,city,grade,ownership,type; aliases separated by "|". Every row is
 * checked, and every fault reported with its line: an import is refused whole, so the person fixing
 * the file sees all that is wrong at once.
 */
export function readHospitalsCsv(text: string): { hospitals: Hospital[]; errors: HospitalLineError[] } {
  const errors: HospitalLineError[] = [];
  let header: string[] = [];
  const records = parse(text, {
    bom: true,
    columns: (names: string[]) => (header = names.map((n) => n.trim())),
    skip_empty_lines: true,
    trim: true,
    info: true,
    // a malformed row (a column too many, a quote not closed) is one more line error, not the end of the check
    skip_records_with_error: true,
    on_skip: (err) => {
      if (err) errors.push({ line: Number(err.lines), message: err.message });
      return undefined;
    },
  }) as { record: Record<string, string | undefined>; info: { lines: number } }[];
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length) return { hospitals: [], errors: [{ line: 1, message: `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (columns: id,name,aliases,province,city,grade,ownership,type)` }] };
  const seen = new Map<string, number>();
  const hospitals: Hospital[] = [];
  for (const { record, info } of records) {
    const faults: string[] = [];
    const hospital = hospitalOf(record, faults);
    const id = record.id ?? '';
    if (id !== '' && seen.has(id)) faults.push(`duplicate id ${id} (first on line ${seen.get(id)})`);
    else if (id !== '') seen.set(id, info.lines);
    for (const message of faults) errors.push({ line: info.lines, message });
    if (hospital && faults.length === 0) hospitals.push(hospital);
  }
  errors.sort((a, b) => a.line - b.line);
  return { hospitals, errors };
}

/** The whole file or the first fault (the seed registry, tests): see `readHospitalsCsv` for every fault. */
export function parseHospitalsCsv(text: string): Hospital[] {
  const { hospitals, errors } = readHospitalsCsv(text);
  const first = errors[0];
  if (first) throw new HospitalRegistryError(`line ${first.line}: ${first.message}`);
  return hospitals;
}

/** The seed registry's hospitals (or another file's), the first fault refused. */
export async function loadHospitals(file: string = DEFAULT_HOSPITALS_CSV): Promise<Hospital[]> {
  return parseHospitalsCsv(await fs.readFile(file, 'utf8'));
}

/** A registry to match printed names against, from the seed file (tests, the simulator, the CLI). */
export async function loadHospitalRegistry(file: string = DEFAULT_HOSPITALS_CSV): Promise<HospitalRegistry> {
  return createHospitalRegistry(await loadHospitals(file));
}
