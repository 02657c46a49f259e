/**
 * What the audits say about every paid claim: the error rate found in the random sample with its
 * Wilson score interval (95 %), the overpayments found, and the money at stake extrapolated to all
 * paid machine-approved claims. Pure: the store reads the counts, this does the arithmetic.
 *
 * Two strata, as drawn: claims at or above the amount threshold are all audited (a census: what is
 * found there is the whole of it), the others are a random sample (what is found there is scaled to
 * the claims it stands for). The error rate is the sample's alone: the census is not random.
 */

/** z for a two-sided 95 % interval. */
export const Z_95 = 1.959963984540054;

export interface Interval {
  low: number;
  high: number;
}

/** Wilson's score interval for `errors` of `n` (null for n = 0: nothing audited, nothing known). */
export function wilsonInterval(errors: number, n: number, z = Z_95): Interval | null {
  if (n === 0) return null;
  const p = errors / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // at the edges the bound is exact (0 of n: low 0; n of n: high 1), not what rounding leaves of it
  return { low: errors === 0 ? 0 : Math.max(0, centre - half), high: errors === n ? 1 : Math.min(1, centre + half) };
}

/** One stratum's decided audits. */
export interface StratumAudits {
  decided: number;
  overpaid: number;
  overpaidFen: number;
}

export interface AuditCounts {
  /** Paid machine-approved claims outside the census: the population the sample stands for. */
  samplePopulation: number;
  sample: StratumAudits;
  /** The census: every claim at or above the threshold (drawn_because = 'amount'). */
  census: StratumAudits;
  pending: number;
}

export interface AuditStatistics {
  /** Errors found in the decided sample over the sample decided; null before the first decision. */
  errorRate: number | null;
  errorRateInterval: Interval | null;
  /** Overpayments found by the audits, both strata. */
  overpaidFoundFen: number;
  /**
   * Overpaid money at stake in all paid machine-approved claims: the census's as found, plus the
   * sample's mean overpayment per claim times the claims it stands for. Its interval scales the
   * error rate's interval by the mean overpayment of an erroneous sampled claim; with no error in
   * the sample there is no such mean, and no interval (the rate's interval still bounds how often).
   */
  extrapolatedOverpaidFen: number | null;
  extrapolatedInterval: { lowFen: number; highFen: number } | null;
  /** Audits decided in each stratum, and waiting for a reviewer. */
  decidedSample: number;
  decidedCensus: number;
  pending: number;
  samplePopulation: number;
}

export function auditStatistics(counts: AuditCounts): AuditStatistics {
  const { sample, census } = counts;
  const overpaidFoundFen = sample.overpaidFen + census.overpaidFen;
  const sizes = { decidedSample: sample.decided, decidedCensus: census.decided, pending: counts.pending, samplePopulation: counts.samplePopulation };
  const interval = wilsonInterval(sample.overpaid, sample.decided);
  if (sample.decided === 0 || interval === null) {
    return { errorRate: null, errorRateInterval: null, overpaidFoundFen, extrapolatedOverpaidFen: null, extrapolatedInterval: null, ...sizes };
  }
  const perClaimFen = sample.overpaidFen / sample.decided;
  const perErrorFen = sample.overpaidFen / Math.max(1, sample.overpaid);
  const population = counts.samplePopulation;
  return {
    errorRate: sample.overpaid / sample.decided,
    errorRateInterval: interval,
    overpaidFoundFen,
    extrapolatedOverpaidFen: census.overpaidFen + Math.round(perClaimFen * population),
    extrapolatedInterval:
      sample.overpaid === 0
        ? null
        : {
            lowFen: census.overpaidFen + Math.round(interval.low * population * perErrorFen),
            highFen: census.overpaidFen + Math.round(interval.high * population * perErrorFen),
          },
    ...sizes,
  };
}
