import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { residentIdCheckChar, residentIdProblem } from '../../src/merchants/resident-id.ts';
import { enrolmentProblem, hashIdNumber } from '../../src/merchants/enrolment.ts';
import { enrolment, residentId } from '../support/fixtures.ts';

test('accepts the GB 11643 standard example and its lower-case x', () => {
  assert.equal(residentIdProblem('11010519491231002X'), null);
  assert.equal(residentIdProblem('11010519491231002x'), null);
});

test('names what is wrong with a bad resident ID', () => {
  assert.equal(residentIdProblem('110105194912310021'), 'check_digit');
  assert.equal(residentIdProblem('11010519490231002X'), 'birth_date', 'no 31 February');
  assert.equal(residentIdProblem('11010530491231002X'), 'birth_date', 'born in the future');
  assert.equal(residentIdProblem('1101051949123100'), 'format');
  assert.equal(residentIdProblem('01010519491231002X'), 'format', 'no region starts with 0');
  assert.equal(residentIdProblem('11010519491231002Y'), 'format');
});

test('every single-digit change of a valid ID is caught by the check digit', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 16 }), fc.integer({ min: 1, max: 9 }), (n, position, bump) => {
      const id = residentId(n);
      assert.equal(residentIdProblem(id), null);
      const digit = (Number(id[position]) + bump) % 10;
      const changed = id.slice(0, position) + digit + id.slice(position + 1);
      // a change in the date may make the date impossible, which is caught first
      assert.notEqual(residentIdProblem(changed), null);
    }),
  );
});

test('the check character follows the MOD 11-2 weights', () => {
  assert.equal(residentIdCheckChar('11010519491231002'), 'X');
  assert.equal(residentIdCheckChar('44052418800101001'), '4');
});

test('enrolment checks the ID and the enrolment time', () => {
  const now = new Date('2026-11-24T00:00:00Z');
  assert.equal(enrolmentProblem(enrolment(1), now), null);
  assert.equal(enrolmentProblem(enrolment(1, { idNumber: '110105194912310021' }), now)?.field, 'idNumber');
  assert.equal(enrolmentProblem(enrolment(1, { enrolledAt: '2027-01-01T00:00:00Z' }), now)?.message, 'enrolledAt is in the future');
  assert.equal(enrolmentProblem(enrolment(1, { enrolledAt: '2026-02-30T00:00:00Z' }), now)?.field, 'enrolledAt');
  assert.equal(enrolmentProblem(enrolment(1, { enrolledAt: '2026-01-01 08:00' }), now)?.field, 'enrolledAt');
});

test('the ID hash is keyed and case-insensitive in the check character', () => {
  assert.equal(hashIdNumber('11010519491231002x', 'k'.repeat(32)), hashIdNumber('11010519491231002X', 'k'.repeat(32)));
  assert.notEqual(hashIdNumber('11010519491231002X', 'k'.repeat(32)), hashIdNumber('11010519491231002X', 'j'.repeat(32)));
  assert.match(hashIdNumber('11010519491231002X', 'k'.repeat(32)), /^[0-9a-f]{64}$/);
});
