/** The claim's legal moves, written out by hand from what the pipeline, reviewers and payouts do. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLAIM_STATUSES, CLAIM_TRANSITIONS, claimMoveAllowed, type ClaimStatus } from '../../src/claims/store.ts';

const LEGAL: readonly (readonly [ClaimStatus, ClaimStatus])[] = [
  ['submitted', 'submitted'], // the first event of an inserted claim
  ['submitted', 'recognized'],
  ['submitted', 'photo_requested'],
  ['recognized', 'approved'],
  ['recognized', 'rejected'],
  ['recognized', 'in_review'],
  ['in_review', 'approved'],
  ['in_review', 'rejected'],
  ['in_review', 'photo_requested'],
  ['photo_requested', 'submitted'],
  ['photo_requested', 'rejected'],
  ['photo_requested', 'photo_requested'],
  ['approved', 'paid'],
  ['approved', 'in_review'],
  ['rejected', 'appealed'], // the merchant's one appeal
  ['appealed', 'appeal_review'], // its photos read
  ['appeal_review', 'approved'], // another reviewer upholds it
  ['appeal_review', 'rejected'], // or the refusal stands
];

test('every move the code makes is in the table, and the table lists nothing more', () => {
  for (const [from, to] of LEGAL) assert.ok(claimMoveAllowed(from, to), `${from} → ${to}`);
  const listed = CLAIM_STATUSES.flatMap((from) => CLAIM_TRANSITIONS[from].map((to) => `${from} → ${to}`));
  assert.deepEqual(listed.sort(), LEGAL.map(([from, to]) => `${from} → ${to}`).sort());
});

test('moves the code never makes are refused: a paid claim stays put, a rejected one moves only to its appeal, nothing skips review or payment', () => {
  for (const [from, to] of [
    ['paid', 'submitted'],
    ['paid', 'in_review'],
    ['rejected', 'approved'],
    ['rejected', 'submitted'],
    ['submitted', 'paid'],
    ['submitted', 'approved'],
    ['recognized', 'paid'],
    ['in_review', 'paid'],
    ['approved', 'rejected'],
    ['approved', 'approved'],
    ['rejected', 'in_review'],
    ['appealed', 'approved'],
    ['appealed', 'recognized'],
    ['appeal_review', 'photo_requested'],
    ['appeal_review', 'paid'],
  ] as const) {
    assert.equal(claimMoveAllowed(from, to), false, `${from} → ${to}`);
  }
});
