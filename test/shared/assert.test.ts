/** The named assertions: each passes what it promises through and refuses the rest with an InvariantError naming it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { invariant, InvariantError, onlyRow, present } from '../../src/shared/assert.ts';

test('invariant passes a true condition and throws an InvariantError with the message on a false one', () => {
  assert.doesNotThrow(() => invariant(1 + 1 === 2, 'arithmetic'));
  assert.throws(() => invariant(false, 'debits equal credits'), (err: unknown) => err instanceof InvariantError && err.name === 'InvariantError' && err.message === 'debits equal credits');
  assert.throws(() => invariant(0, 'a count'), InvariantError);
});

test('present returns the value, falsy ones included, and refuses null and undefined by name', () => {
  assert.equal(present(0, 'a count'), 0);
  assert.equal(present('', 'a note'), '');
  assert.equal(present(false, 'a flag'), false);
  assert.deepEqual(present({ id: 7 }, 'the claim'), { id: 7 });
  assert.throws(() => present(null, 'the claim C1'), { name: 'InvariantError', message: 'expected the claim C1, found none' });
  assert.throws(() => present(undefined, 'the accounts of merchant 3'), { name: 'InvariantError', message: 'expected the accounts of merchant 3, found none' });
});

test('onlyRow returns the single row and refuses none or several, saying how many', () => {
  assert.deepEqual(onlyRow([{ n: 3 }], 'the count'), { n: 3 });
  assert.throws(() => onlyRow([], 'the inserted claim'), { name: 'InvariantError', message: 'expected exactly one row for the inserted claim, found 0' });
  assert.throws(() => onlyRow([{ n: 1 }, { n: 2 }], 'the payout to settle'), { name: 'InvariantError', message: 'expected exactly one row for the payout to settle, found 2' });
});
