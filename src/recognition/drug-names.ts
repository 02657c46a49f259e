/**
 * Item names corrected against a catalogue of common drug and charge-item names: the recogniser
 * misreads or drops a rare character of a pharmacy drug name (头孢克肟片 read as 头孢克片), and
 * the catalogue knows the name it was. A reading is corrected only when one entry is close and
 * every other entry clearly farther; otherwise it stays as read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CHARGE_CATEGORIES, normaliseChargeCategory, type ChargeCategory } from './categories.ts';
import { normaliseText } from './text-lines.ts';

const DRUG_NAMES_FILE = path.resolve(import.meta.dirname, 'drug-names.txt');

export interface CatalogueEntry {
  readonly name: string;
  readonly category: ChargeCategory;
}

export interface NameCorrection {
  /** The catalogue's name (with the reading's specification after it), or the reading unchanged. */
  readonly name: string;
  readonly corrected: boolean;
}

export interface DrugCatalogue {
  readonly entries: readonly CatalogueEntry[];
  /** The category the catalogue gives a name (specification ignored); null for a name it lacks. */
  categoryOf(name: string): ChargeCategory | null;
  /**
   * The reading corrected, or as read. No confidence gate: the recogniser reported 0.999 for 头孢克片
   * (肟 dropped), so a confident reading can be the misread one; closeness and margin decide.
   */
  correct(reading: string): NameCorrection;
}

export class DrugCatalogueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DrugCatalogueError';
  }
}

/** `[category]` starts a section, `#` a comment; every other non-blank line is one name. */
export function parseDrugCatalogue(text: string): CatalogueEntry[] {
  const entries: CatalogueEntry[] = [];
  const seen = new Set<string>();
  let category: ChargeCategory | null = null;
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const section = /^\[(.*)\]$/.exec(line);
    if (section) {
      category = CHARGE_CATEGORIES.find((c) => c === section[1]) ?? null;
      if (category === null) throw new DrugCatalogueError(`line ${i + 1}: "${section[1]}" is not a charge category`);
      continue;
    }
    const name = normaliseText(line);
    if (category === null) throw new DrugCatalogueError(`line ${i + 1}: "${line}" comes before any [category]`);
    if (name !== line || !/\p{Script=Han}/u.test(name)) throw new DrugCatalogueError(`line ${i + 1}: "${line}" is not a name (Han characters, half-width, no spaces)`);
    if (seen.has(name)) throw new DrugCatalogueError(`line ${i + 1}: "${name}" is listed twice`);
    seen.add(name);
    entries.push({ name, category });
  }
  return entries;
}

// A specification after the name: an amount with its unit (0.25g*24粒, (10mg×7片), 100ml), kept as read.
const SPECIFICATION = /[([【]?\d+(?:\.\d+)?(?:g|mg|μg|ug|kg|ml|mL|ML|l|L|IU|万?单位|%|粒|片|袋|支|瓶|盒|丸|贴|s|S|cm)/gu;

/** Edits a reading of this many characters may be away from its entry: none for short names, where one character is a third of the name. */
function editsAllowed(length: number): number {
  return length >= 8 ? 2 : length >= 4 ? 1 : 0;
}

/** Levenshtein distance over code points, or `limit + 1` as soon as it must exceed `limit`. */
function boundedDistance(a: readonly string[], b: readonly string[], limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let row = new Int32Array(b.length + 1);
  let next = new Int32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) row[j] = j;
  for (let i = 1; i <= a.length; i++) {
    next[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      rowMin = Math.min(rowMin, next[j]!);
    }
    if (rowMin > limit) return limit + 1;
    [row, next] = [next, row];
  }
  return Math.min(row[b.length]!, limit + 1);
}

export function createDrugCatalogue(entries: readonly CatalogueEntry[]): DrugCatalogue {
  const byName = new Map(entries.map((e) => [e.name, e]));
  const chars = entries.map((e) => [...e.name]);
  // Character → the entries holding it: a candidate must share the reading's characters bar one per edit.
  const holders = new Map<string, number[]>();
  chars.forEach((cs, id) => {
    for (const c of new Set(cs)) {
      const ids = holders.get(c);
      if (ids) ids.push(id);
      else holders.set(c, [id]);
    }
  });

  /** The closest entry if it is within the edits allowed and every other entry at least twice as far; null otherwise. */
  function closest(name: string): CatalogueEntry | null {
    const read = [...name];
    const allowed = editsAllowed(read.length);
    if (allowed === 0) return null;
    // The runner-up matters up to twice the allowed distance: look that far.
    const radius = 2 * allowed - 1;
    const distinct = new Set(read);
    const needed = distinct.size - radius;
    const shared = new Uint8Array(entries.length);
    const candidates: number[] = [];
    for (const c of distinct) {
      for (const id of holders.get(c) ?? []) {
        if (++shared[id]! === Math.max(needed, 1) && Math.abs(chars[id]!.length - read.length) <= radius) candidates.push(id);
      }
    }
    let best = { id: -1, distance: radius + 1 };
    let second = radius + 1;
    for (const id of candidates) {
      const distance = boundedDistance(read, chars[id]!, radius);
      if (distance < best.distance) {
        second = best.distance;
        best = { id, distance };
      } else if (distance < second) second = distance;
    }
    return best.id >= 0 && best.distance <= allowed && second >= 2 * best.distance ? entries[best.id]! : null;
  }

  /** The reading split at each place a specification could start, whole name first. */
  function splits(text: string): [string, string][] {
    const found: [string, string][] = [[text, '']];
    for (const spec of text.matchAll(SPECIFICATION)) if (spec.index > 0) found.push([text.slice(0, spec.index), text.slice(spec.index)]);
    return found;
  }

  return {
    entries,
    categoryOf(name) {
      for (const [base] of splits(normaliseText(name))) {
        const entry = byName.get(base);
        if (entry) return entry.category;
      }
      return null;
    },
    correct(reading) {
      const text = normaliseText(reading);
      const options = splits(text);
      if (options.some(([base]) => byName.has(base))) return { name: reading, corrected: false };
      for (const [base, spec] of options) {
        const entry = closest(base);
        if (entry) return { name: entry.name + spec, corrected: true };
      }
      return { name: reading, corrected: false };
    },
  };
}

/** The shipped catalogue (src/recognition/drug-names.txt), read once. */
export const DRUG_CATALOGUE = createDrugCatalogue(parseDrugCatalogue(fs.readFileSync(DRUG_NAMES_FILE, 'utf8')));

/** An item's programme category: the catalogue's where it knows the name, else the name's wording. */
export function itemCategory(name: string, catalogue: DrugCatalogue = DRUG_CATALOGUE): ChargeCategory {
  return catalogue.categoryOf(name) ?? normaliseChargeCategory(name);
}
