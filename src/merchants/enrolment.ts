/** Pure enrolment checks beyond the schema: the resident ID's check digit and a plausible date. */
import { createHmac } from 'node:crypto';
import { residentIdProblem } from './resident-id.ts';
import type { EnrolmentInput } from './types.ts';

/** Clock skew tolerated between the enrolling system and us. */
const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?(Z|[+-](0\d|1[0-4]):[0-5]\d)$/;

/** Date.parse rolls 30 February over into March; a real calendar date is required. */
function isRfc3339(text: string): boolean {
  const m = RFC3339.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

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
  const enrolledAt = new Date(input.enrolledAt);
  if (!isRfc3339(input.enrolledAt) || Number.isNaN(enrolledAt.getTime())) {
    return { field: 'enrolledAt', code: 'invalid_field', message: 'enrolledAt must be an RFC 3339 date-time with offset' };
  }
  if (enrolledAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
    return { field: 'enrolledAt', code: 'invalid_field', message: 'enrolledAt is in the future' };
  }
  return null;
}

/** Keyed hash, so the stored value cannot be reversed by enumerating the (small) space of ID numbers. */
export function hashIdNumber(idNumber: string, key: string): string {
  return createHmac('sha256', key).update(idNumber.toUpperCase()).digest('hex');
}
