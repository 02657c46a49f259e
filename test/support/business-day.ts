import { addDays, businessDay, businessDayStart } from '../../src/shared/business-day.ts';

/**
 * For a test whose checks read "today" (payers counted today, credit waiting since today): returns at
 * once when the Shanghai business day has at least `marginMs` left, and otherwise waits for the day to
 * turn, so that the test runs inside one business day whatever the hour it starts.
 */
export async function withinOneBusinessDay(marginMs: number): Promise<void> {
  const now = new Date();
  const nextDayStartMs = businessDayStart(addDays(businessDay(now), 1)).getTime();
  const leftMs = nextDayStartMs - now.getTime();
  if (leftMs >= marginMs) return;
  await new Promise((resolve) => setTimeout(resolve, leftMs + 1_000));
}
