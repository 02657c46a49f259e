/**
 * Excluded care (dental, childbirth, cosmetic, health products, fight or drinking injuries) shows in
 * the registry's hospital type and in words: the department (科室, a field of its own or part of an
 * item's name, 口腔科挂号费), the hospital's name, the item names and a printed diagnosis. Every
 * exclusion list is matched against every one of these places the invoice has.
 */
import type { Hospital } from '../hospitals/record.ts';
import type { Invoice } from '../recognition/types.ts';
import type { ClaimRules, ExclusionRule } from './rules.ts';

/** A place on the invoice where excluded care can show. */
export type ExclusionPlace = 'hospital_type' | 'hospital_name' | 'department' | 'diagnosis' | 'item';

export interface ExclusionMatch {
  readonly rule: ExclusionRule;
  readonly source: ExclusionPlace;
  /** The hospital type or the text that matched. */
  readonly matched: string;
  readonly keyword: string | null;
  /** How surely the matched text was read. */
  readonly confidence: number;
}

/** A text of the invoice that can carry an exclusion, with how surely it was read ('' at 0: printed, unread). */
export interface ExclusionText {
  readonly place: Exclude<ExclusionPlace, 'hospital_type'>;
  readonly text: string;
  readonly confidence: number;
}

/** The exclusion a text falls under, with the keyword found, or null. */
export function textExclusion(text: string, rules: ClaimRules): { rule: ExclusionRule; keyword: string } | null {
  const words = text.replace(/\s/g, '');
  for (const rule of rules.exclusions) {
    const keyword = rule.keywords.find((k) => words.includes(k));
    if (keyword !== undefined) return { rule, keyword };
  }
  return null;
}

/** Every place of the invoice that can carry an exclusion in words, as read. */
export function exclusionTexts(invoice: Invoice, hospital: Hospital | null): ExclusionText[] {
  const printed = invoice.hospital;
  const names = [...new Set([printed?.printedName, printed?.registryName, hospital?.name].filter((n): n is string => typeof n === 'string' && n !== ''))];
  return [
    // the registry's name is only as sure as the match that found it
    ...names.map((text) => ({ place: 'hospital_name' as const, text, confidence: printed?.confidence ?? 0 })),
    ...(invoice.department ? [{ place: 'department' as const, text: invoice.department.value, confidence: invoice.department.confidence }] : []),
    ...(invoice.diagnosis ? [{ place: 'diagnosis' as const, text: invoice.diagnosis.value, confidence: invoice.diagnosis.confidence }] : []),
    ...invoice.items.map((item) => ({ place: 'item' as const, text: item.name, confidence: item.confidence })),
  ];
}

function hospitalMatches(hospital: Hospital | null, confidence: number, rules: ClaimRules): ExclusionMatch[] {
  if (!hospital) return [];
  return rules.exclusions
    .filter((rule) => rule.hospitalTypes.includes(hospital.type))
    .map((rule) => ({ rule, source: 'hospital_type', matched: hospital.type, keyword: null, confidence }));
}

export function findExclusions(invoice: Invoice, hospital: Hospital | null, rules: ClaimRules): ExclusionMatch[] {
  const worded = exclusionTexts(invoice, hospital).flatMap((t) => {
    const hit = textExclusion(t.text, rules);
    return hit ? [{ rule: hit.rule, source: t.place, matched: t.text, keyword: hit.keyword, confidence: t.confidence }] : [];
  });
  return [...hospitalMatches(hospital, invoice.hospital?.confidence ?? 0, rules), ...worded];
}
