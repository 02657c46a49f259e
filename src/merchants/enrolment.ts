/** Pure enrolment checks beyond the schema: the resident ID's check digit and a plausible date. */
import { createHmac } from 'node:crypto';
import { INSTANT_RULE, parseInstant } from '../shared/date-time.ts';
import { residentIdProblem } from './resident-id.ts';
import type { EnrolmentInput } from './types.ts';

/** Clock skew tolerated between the enrolling system and us. */
const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;
/**
 * Characters no one types in a name and that make two names look alike or read backwards: controls
 * (NUL among them), format characters (soft hyphen, zero-width characters, joiners, bidi overrides,
 * the BOM) and line separators.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

export interface EnrolmentProblem {
  field: keyof EnrolmentInput;
  code: string;
  message: string;
}

const RESIDENT_ID_MESSAGES = {
  format: 'idNumber must be 17 digits followed by a digit or X',
  birth_date: 'idNumber holds an impossible birth date',
  check_digit: 'idNumber fails the GB 11643 check digit',
} as const;

export function enrolmentProblem(input: EnrolmentInput, now = new Date()): EnrolmentProblem | null {
  const idProblem = residentIdProblem(input.idNumber, now);
  if (idProblem) return { field: 'idNumber', code: `invalid_id_number_${idProblem}`, message: RESIDENT_ID_MESSAGES[idProblem] };
  for (const field of ['legalName', 'city'] as const) {
    const invisible = INVISIBLE.exec(input[field]);
    if (invisible) {
      const code = invisible[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
      return { field, code: 'invalid_characters', message: `${field} contains the invisible or control character U+${code}: type it as printed on the resident ID` };
    }
  }
  const enrolledAt = parseInstant(input.enrolledAt);
  if (!enrolledAt) return { field: 'enrolledAt', code: 'invalid_field', message: `enrolledAt must be ${INSTANT_RULE}` };
  if (enrolledAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
    return { field: 'enrolledAt', code: 'invalid_field', message: 'enrolledAt is in the future' };
  }
  return null;
}

/** Names are stored composed (NFC), so that the same name typed on two keyboards is one name. */
export function normaliseEnrolment(input: EnrolmentInput): EnrolmentInput {
  return { ...input, legalName: input.legalName.normalize('NFC'), city: input.city.normalize('NFC') };
}

/** Keyed hash, so the stored value cannot be reversed by enumerating the (small) space of ID numbers. */
export function hashIdNumber(idNumber: string, key: string): string {
  return createHmac('sha256', key).update(idNumber.toUpperCase()).digest('hex');
}
