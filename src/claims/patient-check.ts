/** The patient must be the merchant: the payer (交款人) on the invoice is the enrolled legal name. */
import type { Invoice } from '../recognition/types.ts';
import { finding, type ClaimFinding } from './findings.ts';
import type { ClaimRules } from './rules.ts';

/** Names compare by their characters: composed Unicode, no spaces, one middle dot (阿依古丽·买买提), any case. */
export function normalisePersonName(name: string): string {
  return name
    .normalize('NFC')
    .replace(/\s+/gu, '')
    .replace(/[·・•‧･.．]/gu, '·')
    .toUpperCase();
}

/** Levenshtein distance over code points (a Han character is one edit, whatever its UTF-16 length). */
export function nameDistance(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  const row = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= y.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (x[i - 1] === y[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[y.length]!;
}

/**
 * Someone else's invoice is rejected outright only when the name is read surely and differs in
 * several characters; one character off (a misread, a homophone typed at the counter) goes to a
 * person, as does any name read unsurely.
 */
export function patientCheck(invoice: Invoice, enrolledName: string, rules: ClaimRules): ClaimFinding[] {
  if (!invoice.payerName) return []; // `missing_fields` says so
  const { value: payerName, confidence } = invoice.payerName;
  const distance = nameDistance(normalisePersonName(payerName), normalisePersonName(enrolledName));
  const confident = confidence >= rules.minConfidence;
  const evidence = { payerName, enrolledName, distance, confidence };
  if (distance === 0) return [finding('patient_is_merchant', confident ? 'certain' : 'uncertain', evidence)];
  const certain = confident && distance >= rules.wrongPatientMinDistance;
  return [finding('patient_not_merchant', certain ? 'certain' : 'uncertain', evidence)];
}
