/**
 * The instants the programme accepts from outside. Its data starts in 2018: a year before 2000 or
 * after 2099 is a typing or encoding mistake (year 0 even reached PostgreSQL as "0NaN"), and a leap
 * second (23:59:60) has no JavaScript Date, so both are refused rather than rolled over.
 */
export const EARLIEST_INSTANT = new Date('2000-01-01T00:00:00Z');
export const LATEST_INSTANT = new Date('2100-01-01T00:00:00Z');
export const INSTANT_RULE = 'an RFC 3339 date-time with offset (e.g. 2026-11-24T08:00:00+08:00) from 2000-01-01 to 2099-12-31, without leap seconds';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?(Z|[+-](0\d|1[0-4]):[0-5]\d)$/;

/** A real calendar day, in range; null for anything else (Date.parse would roll 30 February into March). */
export function parseInstant(text: string): Date | null {
  const m = RFC3339.exec(text);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const calendar = new Date(Date.UTC(2000, month - 1, day));
  calendar.setUTCFullYear(year);
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return null;
  const instant = new Date(text);
  return withinRange(instant) ? instant : null;
}

/** True for an instant the programme can mean (see EARLIEST_INSTANT). */
export function withinRange(instant: Date): boolean {
  const ms = instant.getTime();
  return ms >= EARLIEST_INSTANT.getTime() && ms < LATEST_INSTANT.getTime();
}
