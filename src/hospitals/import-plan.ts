/** What an import does to the registry, decided apart from the database: pure, unit-tested. */
import type { Hospital } from './record.ts';

export interface ImportPlan {
  created: Hospital[];
  updated: { before: Hospital; after: Hospital }[];
  unchanged: number;
}

const FIELDS = ['name', 'aliases', 'province', 'city', 'grade', 'ownership', 'type'] as const;
type Field = (typeof FIELDS)[number];

/** The fields whose values differ (aliases compared in order: the first is the one shown). */
export function changedFields(before: Hospital, after: Hospital): Field[] {
  return FIELDS.filter((f) => (f === 'aliases' ? before.aliases.join('|') !== after.aliases.join('|') : before[f] !== after[f]));
}

/** Upsert by id: a new id is created, a known one updated when any field differs, else left alone. */
export function planImport(existing: readonly Hospital[], incoming: readonly Hospital[]): ImportPlan {
  const known = new Map(existing.map((h) => [h.id, h]));
  const plan: ImportPlan = { created: [], updated: [], unchanged: 0 };
  for (const after of incoming) {
    const before = known.get(after.id);
    if (!before) plan.created.push(after);
    else if (changedFields(before, after).length) plan.updated.push({ before, after });
    else plan.unchanged++;
  }
  return plan;
}

/** The audit's record of a change: only the fields that moved, before and after. */
export function changeDetails(before: Hospital, after: Hospital): { id: string; before: Partial<Hospital>; after: Partial<Hospital> } {
  const fields = changedFields(before, after);
  const pick = (h: Hospital) => Object.fromEntries(fields.map((f) => [f, h[f]])) as Partial<Hospital>;
  return { id: after.id, before: pick(before), after: pick(after) };
}
