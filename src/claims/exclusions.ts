/**
 * Excluded care (dental, childbirth, cosmetic, health products, fight or drinking injuries): the
 * registry's hospital type, and words in the item names, which also carry the department
 * (口腔科挂号费) since the recogniser reads no department field.
 */
import type { Hospital } from '../recognition/hospitals.ts';
import type { Invoice, LineItem } from '../recognition/types.ts';
import type { ClaimRules, ExclusionRule } from './rules.ts';

export interface ExclusionMatch {
  readonly rule: ExclusionRule;
  readonly source: 'hospital_type' | 'item';
  /** The hospital type or the item name that matched. */
  readonly matched: string;
  readonly keyword: string | null;
  /** How surely the matched text was read. */
  readonly confidence: number;
}

/** The exclusion an item name falls under, with the keyword found, or null. */
export function itemExclusion(itemName: string, rules: ClaimRules): { rule: ExclusionRule; keyword: string } | null {
  const name = itemName.replace(/\s/g, '');
  for (const rule of rules.exclusions) {
    const keyword = rule.keywords.find((k) => name.includes(k));
    if (keyword !== undefined) return { rule, keyword };
  }
  return null;
}

function hospitalMatches(hospital: Hospital | null, confidence: number, rules: ClaimRules): ExclusionMatch[] {
  if (!hospital) return [];
  return rules.exclusions
    .filter((rule) => rule.hospitalTypes.includes(hospital.type))
    .map((rule) => ({ rule, source: 'hospital_type', matched: hospital.type, keyword: null, confidence }));
}

function itemMatches(items: readonly LineItem[], rules: ClaimRules): ExclusionMatch[] {
  return items.flatMap((item) => {
    const hit = itemExclusion(item.name, rules);
    return hit ? [{ rule: hit.rule, source: 'item' as const, matched: item.name, keyword: hit.keyword, confidence: item.confidence }] : [];
  });
}

export function findExclusions(invoice: Invoice, hospital: Hospital | null, rules: ClaimRules): ExclusionMatch[] {
  return [...hospitalMatches(hospital, invoice.hospital?.confidence ?? 0, rules), ...itemMatches(invoice.items, rules)];
}
