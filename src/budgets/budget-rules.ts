/**
 * City budgets, pure. A budget caps the credit granted to a city's merchants for payments of one
 * calendar month of business days (Asia/Shanghai). The policy, the same under every ruleset and
 * decided ahead (docs/accrual.md "Budgets"): once the next credit would pass the budget, new credit
 * stops for the rest of the month: payments earn nothing (outcome `budget_reached`) and take no
 * payer slot; credit already held, waiting to be collected, available or reserved for a claim, is
 * untouched, is collected and spent as before, and claims are paid from it. Refunds do not give
 * budget back: the budget counts credit granted.
 */

/** The budget period of a business day: its month, 'YYYY-MM'. */
export function budgetPeriodOf(day: string): string {
  return day.slice(0, 7);
}

/** The first business day after the period: when a reached budget's pause ends. */
export function periodResumesOn(period: string): string {
  const [y, m] = period.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
}

/** What the planner may still grant a city in a period: decremented as it grants (the planner's working copy). */
export interface BudgetRoom {
  budgetId: number;
  city: string;
  period: string;
  remainingFen: number;
  /** Set when a credit did not fit: the budget is reached even if a few fen are left. */
  refused: boolean;
}

export function budgetKey(city: string, period: string): string {
  return `${city}|${period}`;
}

/**
 * Whether `amountFen` fits in the room; if it does, it is taken from the room. No room (no budget
 * for the city and period) always fits. All or nothing: a credit is granted whole or not at all.
 */
export function takeFromBudget(room: BudgetRoom | undefined, amountFen: number): boolean {
  if (!room) return true;
  if (amountFen > room.remainingFen) {
    room.refused = true;
    return false;
  }
  room.remainingFen -= amountFen;
  return true;
}

/** The alert thresholds (percent of the limit) that a move of the granted total from `before` to `after` reached. */
export function thresholdsReached(beforeFen: number, afterFen: number, limitFen: number, percents: readonly number[]): number[] {
  // integer arithmetic: 80 % of 1,001 fen is reached at 801 fen (ceiling), never by rounding
  return percents.filter((p) => beforeFen * 100 < p * limitFen && afterFen * 100 >= p * limitFen).sort((a, b) => a - b);
}
