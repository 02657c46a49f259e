import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auditStatistics, wilsonInterval } from '../../src/audits/index.ts';

const close = (actual: number | undefined, expected: number, within: number, what: string) =>
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= within, `${what}: ${actual} is not ${expected} ± ${within}`);

test("Wilson's 95 % interval matches the published values", () => {
  // 0 of 10: [0, 0.2775]; 5 of 10: [0.2366, 0.7634]; 2 of 100: [0.0055, 0.0700]; 2 of 20: [0.0279, 0.3010]
  const cases: [number, number, number, number][] = [
    [0, 10, 0, 0.2775],
    [5, 10, 0.2366, 0.7634],
    [2, 100, 0.0055, 0.07],
    [2, 20, 0.0279, 0.301],
    [10, 10, 0.7225, 1],
  ];
  for (const [errors, n, low, high] of cases) {
    const interval = wilsonInterval(errors, n);
    close(interval?.low, low, 0.00006, `${errors}/${n} low`);
    close(interval?.high, high, 0.00006, `${errors}/${n} high`);
  }
  assert.equal(wilsonInterval(0, 0), null, 'nothing audited: nothing known');
  assert.equal(wilsonInterval(0, 7)?.low, 0, 'no error found: the lower bound is 0 exactly');
  assert.equal(wilsonInterval(7, 7)?.high, 1, 'all in error: the upper bound is 1 exactly');
});

test('nothing decided in the sample: no rate, no extrapolation; what the census found is still counted', () => {
  const stats = auditStatistics({ samplePopulation: 500, sample: { decided: 0, overpaid: 0, overpaidFen: 0 }, census: { decided: 2, overpaid: 1, overpaidFen: 4_000 }, pending: 7 });
  assert.deepEqual(stats, {
    errorRate: null,
    errorRateInterval: null,
    overpaidFoundFen: 4_000,
    extrapolatedOverpaidFen: null,
    extrapolatedInterval: null,
    decidedSample: 0,
    decidedCensus: 2,
    pending: 7,
    samplePopulation: 500,
  });
});

test('the sample is scaled to the claims it stands for; the census is added as found', () => {
  // 2 of 20 sampled claims overpaid by 1,500 fen each: 150 fen per sampled claim, over 1,000 claims
  // 150,000 fen; the census found 10,000 fen. Interval: Wilson 2/20 = [0.0278665, 0.3010337] of 1,000
  // claims at 1,500 fen per erroneous claim.
  const stats = auditStatistics({ samplePopulation: 1_000, sample: { decided: 20, overpaid: 2, overpaidFen: 3_000 }, census: { decided: 5, overpaid: 1, overpaidFen: 10_000 }, pending: 3 });
  assert.equal(stats.errorRate, 0.1);
  assert.equal(stats.overpaidFoundFen, 13_000);
  assert.equal(stats.extrapolatedOverpaidFen, 160_000);
  close(stats.extrapolatedInterval?.lowFen, 10_000 + 41_800, 2, 'low');
  close(stats.extrapolatedInterval?.highFen, 10_000 + 451_550, 2, 'high');
});

test('no error in the sample: the rate is 0 with an upper bound above 0; nothing is extrapolated beyond the census, and no range is made up', () => {
  const stats = auditStatistics({ samplePopulation: 200, sample: { decided: 10, overpaid: 0, overpaidFen: 0 }, census: { decided: 0, overpaid: 0, overpaidFen: 0 }, pending: 0 });
  assert.equal(stats.errorRate, 0);
  close(stats.errorRateInterval?.high, 0.2775, 0.00006, 'high');
  assert.equal(stats.extrapolatedOverpaidFen, 0);
  assert.equal(stats.extrapolatedInterval, null);
});
