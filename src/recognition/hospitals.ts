import fs from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';

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

export interface HospitalMatch {
  /** The registry entry the printed name denotes, or null when none is close enough or two are equally close. */
  readonly hospital: Hospital | null;
  /** 1 = identical after normalisation; 0 = nothing in common. */
  readonly similarity: number;
  /** The equally-best entries when the name is ambiguous (e.g. a seal hid the 一 of 第一人民医院). */
  readonly candidates: readonly Hospital[];
}

export interface HospitalRegistry {
  readonly hospitals: readonly Hospital[];
  byId(id: string): Hospital | undefined;
  match(printedName: string): HospitalMatch;
}

export const DEFAULT_HOSPITALS_CSV = path.resolve(import.meta.dirname, '../../seed/hospitals.csv');
const MIN_SIMILARITY = 0.75;

export class HospitalRegistryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HospitalRegistryError';
  }
}

/** Hospital names as printed vary in brackets, spaces and punctuation; only the characters matter. */
export function normaliseHospitalName(name: string): string {
  return name.replace(/[（(][^）)]*[）)]/g, '').replace(/[^\p{Script=Han}A-Za-z0-9]/gu, '');
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

export function createHospitalRegistry(hospitals: readonly Hospital[]): HospitalRegistry {
  const byId = new Map(hospitals.map((h) => [h.id, h]));
  const keys = hospitals.flatMap((hospital) => [hospital.name, ...hospital.aliases].map((n) => ({ hospital, key: normaliseHospitalName(n) })));
  return {
    hospitals,
    byId: (id) => byId.get(id),
    match(printedName) {
      const printed = normaliseHospitalName(printedName);
      if (printed === '') return { hospital: null, similarity: 0, candidates: [] };
      const best = new Map<string, number>();
      for (const { hospital, key } of keys) {
        const similarity = 1 - editDistance(printed, key) / Math.max(printed.length, key.length);
        if (similarity > (best.get(hospital.id) ?? -1)) best.set(hospital.id, similarity);
      }
      const top = Math.max(...best.values());
      const candidates = [...best].filter(([, s]) => s === top).map(([id]) => byId.get(id)!);
      const unique = candidates.length === 1 && top >= MIN_SIMILARITY;
      return { hospital: unique ? candidates[0]! : null, similarity: top, candidates: top >= MIN_SIMILARITY ? candidates : [] };
    },
  };
}

function oneOf<T extends string>(allowed: readonly T[], value: string, what: string, line: number): T {
  if (!(allowed as readonly string[]).includes(value)) throw new HospitalRegistryError(`line ${line}: ${what} "${value}" is not one of ${allowed.join(', ')}`);
  return value as T;
}

/** Columns: id,name,aliases,province,city,grade,ownership,type; aliases separated by "|". */
export function parseHospitalsCsv(text: string): Hospital[] {
  const records = parse(text, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string | undefined>[];
  const seen = new Set<string>();
  return records.map((r, i) => {
    const line = i + 2;
    const field = (name: string): string => {
      const value = r[name];
      if (value === undefined || value === '') throw new HospitalRegistryError(`line ${line}: missing ${name}`);
      return value;
    };
    const id = field('id');
    if (seen.has(id)) throw new HospitalRegistryError(`line ${line}: duplicate id ${id}`);
    seen.add(id);
    return {
      id,
      name: field('name'),
      aliases: (r.aliases ?? '').split('|').filter((a) => a !== ''),
      province: field('province'),
      city: field('city'),
      grade: oneOf(HOSPITAL_GRADES, field('grade'), 'grade', line),
      ownership: oneOf(['public', 'private'] as const, field('ownership'), 'ownership', line),
      type: oneOf(HOSPITAL_TYPES, field('type'), 'type', line),
    };
  });
}

export async function loadHospitalRegistry(file: string = DEFAULT_HOSPITALS_CSV): Promise<HospitalRegistry> {
  return createHospitalRegistry(parseHospitalsCsv(await fs.readFile(file, 'utf8')));
}
