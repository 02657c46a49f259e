/**
 * Matching a printed hospital name to the registry's entries: the registry itself (the Hospital
 * record, its CSV) is the hospitals capability's; recognition only reads names against it.
 */
import type { Hospital } from '../hospitals/record.ts';

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

const MIN_SIMILARITY = 0.75;

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

