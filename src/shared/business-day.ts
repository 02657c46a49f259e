/** Business days are Asia/Shanghai calendar days: UTC+8, no daylight saving since 1991. */
const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;

/** Formatted days by day number: ingestion asks several times a notification, and formatting costs µs. */
const DAY_NAMES = new Map<number, string>();
const MAX_DAY_NAMES = 4_096;

/** 'YYYY-MM-DD' of the Shanghai day containing the instant. */
export function businessDay(at: Date): string {
  const dayNumber = Math.floor((at.getTime() + SHANGHAI_OFFSET_MS) / DAY_MS);
  let name = DAY_NAMES.get(dayNumber);
  if (name === undefined) {
    name = new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
    if (DAY_NAMES.size >= MAX_DAY_NAMES) DAY_NAMES.clear();
    DAY_NAMES.set(dayNumber, name);
  }
  return name;
}

/** The instant a Shanghai day starts. */
export function businessDayStart(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00Z`) - SHANGHAI_OFFSET_MS);
}

/** 'YYYY-MM-DD HH:mm', Shanghai wall-clock time of the instant (what a merchant reads as a deadline). */
export function businessMinute(at: Date): string {
  return new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}

/** Shanghai hour of day, 0..23. */
export function businessHour(at: Date): number {
  return Math.floor(((at.getTime() + SHANGHAI_OFFSET_MS) % DAY_MS) / 3_600_000);
}

/** The same day of month `months` later, clamped to the month's end (31 Aug + 6 months = 28/29 Feb). */
export function addMonths(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, lastDay));
  return target.toISOString().slice(0, 10);
}

/** The calendar day `days` after `day` (YYYY-MM-DD). */
export function addDays(day: string, days: number): string {
  const d = new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS);
  return d.toISOString().slice(0, 10);
}
