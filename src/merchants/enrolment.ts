/** Pure enrolment checks beyond the schema: the resident ID's check digit and a plausible date. */
import { createHmac } from 'node:crypto';
import { residentIdProblem } from './resident-id.ts';
import type { EnrolmentInput } from './types.ts';

/** Clock skew tolerated between the enrolling system and us. */
const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;

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
  if (!RFC3339.test(input.enrolledAt) || Number.isNaN(enrolledAt.getTime())) {
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
