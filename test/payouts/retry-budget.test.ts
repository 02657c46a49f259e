/** One payout's retry budget: the chain of retries after unknown outcomes outlasts what it must wait for. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXHAUSTED_QUIET_MS, MAX_PAYOUT_ATTEMPTS, MAX_UNKNOWN_OUTCOME_RETRIES, payRetryDelayMs } from '../../src/payouts/index.ts';

test('retries after an unknown outcome wait 0.5 s, doubling, at most a minute', () => {
  assert.deepEqual([0, 1, 2, 6, 7, 8, 39].map(payRetryDelayMs), [500, 1_000, 2_000, 32_000, 60_000, 60_000, 60_000]);
});

test('the chain of retries lasts some 34 minutes: the transfer requests, then the quiet that lets an exhausted payout fail', () => {
  const delaysMs = Array.from({ length: MAX_UNKNOWN_OUTCOME_RETRIES }, (_, retry) => payRetryDelayMs(retry));
  assert.equal(delaysMs.reduce((a, b) => a + b, 0), 2_043_500);
  // at worst each of the first retries sends a transfer request; what is left must outlast the quiet
  const afterLastRequestMs = delaysMs.slice(MAX_PAYOUT_ATTEMPTS).reduce((a, b) => a + b, 0);
  assert.ok(afterLastRequestMs >= EXHAUSTED_QUIET_MS, `${afterLastRequestMs} ms after the last request, ${EXHAUSTED_QUIET_MS} needed`);
});
