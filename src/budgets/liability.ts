/**
 * The programme's liability in numbers, pure: credit outstanding (waiting to be collected,
 * available, reserved for a claim) is what the programme may still have to pay. What it is expected
 * to cost is the outstanding credit times the share of granted credit that merchants have turned
 * into paid claims over a recent window; the forecast runs the window's mean daily flows forward.
 * The store reads the daily rollup (liability_days); this does the arithmetic.
 */

/** One day's liability of one city (or of all cities summed), as the rollup keeps it. */
export interface LiabilityFigures {
  pendingFen: number;
  availableFen: number;
  reservedFen: number;
  /** Credit granted (earned) that day. */
  grantedFen: number;
  /** Claims paid that day (payouts settled). */
  claimedFen: number;
  /** Credit lost that day: lapsed uncollected and expired unspent. */
  lostFen: number;
}

export interface DayFigures extends LiabilityFigures {
  day: string;
}

export function outstandingFen(f: Pick<LiabilityFigures, 'pendingFen' | 'availableFen' | 'reservedFen'>): number {
  return f.pendingFen + f.availableFen + f.reservedFen;
}

/**
 * Claimed fen over granted fen across the window's days: how much of a fen of credit ends as a paid
 * claim. Null when nothing was granted (no observation, no ratio). Not capped at 1: a window in which
 * merchants spend credit granted before it can pay out more than it granted, and that is the truth.
 */
export function claimRatio(days: readonly Pick<LiabilityFigures, 'grantedFen' | 'claimedFen'>[]): number | null {
  let granted = 0;
  let claimed = 0;
  for (const d of days) {
    granted += d.grantedFen;
    claimed += d.claimedFen;
  }
  return granted === 0 ? null : claimed / granted;
}

/** The expected cost of outstanding credit at an observed claim ratio, in whole fen. */
export function expectedCostFen(outstanding: number, ratio: number | null): number | null {
  return ratio === null ? null : Math.round(outstanding * ratio);
}

export interface ForecastDay {
  day: string;
  outstandingFen: number;
  expectedCostFen: number | null;
}

/**
 * The next `horizon` days from the last day of `history`: the outstanding credit moves each day by
 * the window's mean daily net flow (granted less claimed less lost), never below zero, and costs
 * what the window's claim ratio says. `nextDay` names the day after a day (the caller's business days).
 */
export function forecastLiability(history: readonly DayFigures[], horizon: number, nextDay: (day: string) => string): ForecastDay[] {
  const last = history.at(-1);
  if (!last || horizon <= 0) return [];
  const ratio = claimRatio(history);
  const n = history.length;
  const netPerDay = history.reduce((sum, d) => sum + d.grantedFen - d.claimedFen - d.lostFen, 0) / n;
  const out: ForecastDay[] = [];
  let day = last.day;
  for (let k = 1; k <= horizon; k++) {
    day = nextDay(day);
    const outstanding = Math.max(0, Math.round(outstandingFen(last) + k * netPerDay));
    out.push({ day, outstandingFen: outstanding, expectedCostFen: expectedCostFen(outstanding, ratio) });
  }
  return out;
}

/** A row of the rollup: one city's figures on one day. */
export interface CityDay extends DayFigures {
  city: string;
  refreshedAt: Date;
}

const FIGURES = ['pendingFen', 'availableFen', 'reservedFen', 'grantedFen', 'claimedFen', 'lostFen'] as const satisfies readonly (keyof LiabilityFigures)[];

/** The rows of each day summed over cities, days in order. */
export function sumByDay(rows: readonly CityDay[]): DayFigures[] {
  const byDay = new Map<string, DayFigures>();
  for (const r of rows) {
    const d = byDay.get(r.day) ?? { day: r.day, pendingFen: 0, availableFen: 0, reservedFen: 0, grantedFen: 0, claimedFen: 0, lostFen: 0 };
    for (const k of FIGURES) d[k] += r[k];
    byDay.set(r.day, d);
  }
  return [...byDay.values()].sort((a, b) => (a.day < b.day ? -1 : 1));
}

export interface LiabilityReport {
  /** The claim ratio over the window, all cities. */
  claimRatio: number | null;
  days: (DayFigures & { outstandingFen: number; expectedCostFen: number | null })[];
  /** Each city on its latest day, its expected cost at its own ratio over the window, largest outstanding first. */
  cities: { city: string; day: string; pendingFen: number; availableFen: number; reservedFen: number; outstandingFen: number; claimRatio: number | null; expectedCostFen: number | null }[];
  forecast: ForecastDay[];
  refreshedAt: Date | null;
}

/**
 * What the console shows from the rollup's rows over a window: each day's liability with its expected
 * cost at the window's claim ratio, each city's latest, and the forecast `horizon` days on.
 */
export function liabilityReport(rows: readonly CityDay[], horizon: number, nextDay: (day: string) => string): LiabilityReport {
  const days = sumByDay(rows);
  const ratio = claimRatio(days);
  const latest = new Map<string, CityDay>();
  const byCity = new Map<string, CityDay[]>();
  for (const r of rows) {
    if (!latest.has(r.city) || latest.get(r.city)!.day < r.day) latest.set(r.city, r);
    byCity.set(r.city, [...(byCity.get(r.city) ?? []), r]);
  }
  const cities = [...latest.values()].map((r) => {
    const cityRatio = claimRatio(byCity.get(r.city)!);
    const outstanding = outstandingFen(r);
    return { city: r.city, day: r.day, pendingFen: r.pendingFen, availableFen: r.availableFen, reservedFen: r.reservedFen, outstandingFen: outstanding, claimRatio: cityRatio, expectedCostFen: expectedCostFen(outstanding, cityRatio) };
  });
  cities.sort((a, b) => b.outstandingFen - a.outstandingFen || (a.city < b.city ? -1 : 1));
  const refreshed = rows.reduce<Date | null>((max, r) => (max === null || r.refreshedAt > max ? r.refreshedAt : max), null);
  return {
    claimRatio: ratio,
    days: days.map((d) => ({ ...d, outstandingFen: outstandingFen(d), expectedCostFen: expectedCostFen(outstandingFen(d), ratio) })),
    cities,
    forecast: forecastLiability(days, horizon, nextDay),
    refreshedAt: refreshed,
  };
}
