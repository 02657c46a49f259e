/** Checks of where and what the care was: a covered hospital, an outpatient bill, no excluded care. */
import type { Hospital } from '../hospitals/record.ts';
import type { Invoice } from '../recognition/types.ts';
import { groundOf } from './confidence.ts';
import { exclusionTexts, findExclusions } from './exclusions.ts';
import { finding, type ClaimFinding } from './findings.ts';
import type { ClaimRules } from './rules.ts';

/** Grade, ownership and type come from the registry; they are as sure as the name that matched it. */
export function hospitalChecks(invoice: Invoice, hospital: Hospital | null, rules: ClaimRules): ClaimFinding[] {
  // With no issuer read at all, `missing_fields` already says so.
  if (!invoice.hospital && !hospital) return [];
  if (!hospital) {
    const { printedName, similarity } = invoice.hospital!;
    return [finding('hospital_not_in_registry', 'uncertain', { printedName, similarity })];
  }
  const ground = groundOf([invoice.hospital?.confidence], rules);
  const identity = { hospitalId: hospital.id, hospitalName: hospital.name, matchConfidence: invoice.hospital?.confidence ?? null };
  const gradeOk = rules.eligibleGrades.includes(hospital.grade);
  const ownershipOk = rules.eligibleOwnership.includes(hospital.ownership);
  return [
    finding('hospital_in_registry', ground, identity),
    finding(gradeOk ? 'hospital_grade_eligible' : 'hospital_grade_too_low', ground, { ...identity, grade: hospital.grade, eligibleGrades: rules.eligibleGrades.join(', ') }),
    finding(ownershipOk ? 'hospital_ownership_eligible' : 'hospital_ownership_not_covered', ground, { ...identity, ownership: hospital.ownership }),
  ];
}

export function kindCheck(invoice: Invoice, rules: ClaimRules): ClaimFinding {
  const evidence = { kind: invoice.kind.value, confidence: invoice.kind.confidence };
  const ground = groundOf([invoice.kind.confidence], rules);
  switch (invoice.kind.value) {
    case 'outpatient':
      return finding('outpatient_bill', ground, evidence);
    case 'inpatient':
      return finding('inpatient_bill', ground, evidence);
    default:
      // A pharmacy receipt, a VAT invoice or an unreadable page may still be eligible care: a person looks.
      return finding('not_outpatient_bill', 'uncertain', evidence);
  }
}

/**
 * One finding per match, so that the reviewer sees every excluded item. No match is a sure pass only
 * when every place that could carry an exclusion was read surely: a department printed but not
 * legible may say 产科.
 */
export function exclusionChecks(invoice: Invoice, hospital: Hospital | null, rules: ClaimRules): ClaimFinding[] {
  const matches = findExclusions(invoice, hospital, rules);
  if (matches.length === 0) {
    const texts = exclusionTexts(invoice, hospital);
    const unsure = texts.filter((t) => t.confidence < rules.minConfidence).map((t) => `${t.place} ${t.text || '?'}`);
    const evidence = { placesRead: [...new Set(texts.map((t) => t.place))].join(', '), unsurePlaces: unsure.join(', ') };
    return [finding('no_excluded_care', unsure.length === 0 ? 'certain' : 'uncertain', evidence)];
  }
  return matches.map((m) =>
    finding('excluded_care', groundOf([m.confidence], rules), {
      exclusion: m.rule.reason,
      exclusionZh: m.rule.zh,
      exclusionEn: m.rule.en,
      source: m.source,
      // the hospital's name, not its type's English code: the sentence stays in one language
      matched: m.source === 'hospital_type' ? hospital!.name : m.matched,
      keyword: m.keyword,
      confidence: m.confidence,
    }),
  );
}
