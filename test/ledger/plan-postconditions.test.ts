/** The ledger engine's postconditions: a plan planBatch makes passes them; a corrupted one is refused. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertPlanBalanced, planBatch, type BalanceDelta, type Plan } from '../../src/ledger/engine.ts';
import { transferIdFor } from '../../src/ledger/ids.ts';
import type { Account } from '../../src/ledger/types.ts';

const FUNDING = 1;
const AVAILABLE = 10;
const DEBT = 11;

function account(id: number, overrides: Partial<Account> = {}): Account {
  return { id, merchantId: null, kind: 'programme_funding', debitsPending: 0, debitsPosted: 0, creditsPending: 0, creditsPosted: 0, debitsMustNotExceedCredits: false, creditsMustNotExceedDebits: false, ...overrides };
}

// merchant 7 has 200 fen available and a debt of 50 fen (debited 50, nothing repaid)
const ACCOUNTS: ReadonlyMap<number, Account> = new Map([
  [FUNDING, account(FUNDING)],
  [AVAILABLE, account(AVAILABLE, { merchantId: 7, kind: 'merchant_available', creditsPosted: 200, debitsMustNotExceedCredits: true })],
  [DEBT, account(DEBT, { merchantId: 7, kind: 'merchant_debt', debitsPosted: 50, creditsMustNotExceedDebits: true })],
]);

const delta = (fields: Partial<BalanceDelta>): BalanceDelta => ({ debitsPending: 0, debitsPosted: 0, creditsPending: 0, creditsPosted: 0, ...fields });
const id = (n: number) => transferIdFor('postconditions-test', n);

function planned(): Plan {
  return planBatch(
    [
      { id: id(1), debitAccountId: AVAILABLE, creditAccountId: FUNDING, amountFen: 150, code: 'spend' },
      { id: id(2), debitAccountId: AVAILABLE, creditAccountId: FUNDING, amountFen: 100, code: 'spend' }, // refused: 50 fen left
      { id: id(3), debitAccountId: AVAILABLE, creditAccountId: FUNDING, amountFen: 30, code: 'spend', phase: 'pending' },
    ],
    { now: new Date('2026-12-01T00:00:00Z'), accounts: ACCOUNTS, existing: new Map(), pendings: new Map() },
  );
}

test('a plan the engine makes passes: 180 fen debited and credited, the refused spend not planned', () => {
  const plan = planned();
  assert.deepEqual(plan.results.map((r) => (r.status === 'failed' ? r.error : r.status)), ['created', 'exceeds_credits', 'created']);
  assert.doesNotThrow(() => assertPlanBalanced(plan, ACCOUNTS));
});

test('a plan whose debits and credits differ is refused, pending and posted apart', () => {
  const posted = planned();
  posted.deltas.set(FUNDING, delta({ creditsPosted: 149, creditsPending: 30 }));
  assert.throws(() => assertPlanBalanced(posted, ACCOUNTS), { name: 'InvariantError', message: 'the plan adds 150 fen to posted debits but 149 fen to posted credits' });
  // the same 180 fen in all, but 30 of them moved from pending to posted on one side only
  const sides = planned();
  sides.deltas.set(FUNDING, delta({ creditsPosted: 180 }));
  assert.throws(() => assertPlanBalanced(sides, ACCOUNTS), { name: 'InvariantError', message: 'the plan adds 30 fen to pending debits but 0 fen to pending credits' });
});

test('a transfer to its own account or of no amount is refused', () => {
  const self = planned();
  self.inserts[0] = { ...self.inserts[0]!, creditAccountId: AVAILABLE };
  assert.throws(() => assertPlanBalanced(self, ACCOUNTS), { name: 'InvariantError', message: `transfer ${id(1)} debits and credits the same account ${AVAILABLE}` });
  const zero = planned();
  zero.inserts[1] = { ...zero.inserts[1]!, amountFen: 0 };
  assert.throws(() => assertPlanBalanced(zero, ACCOUNTS), { name: 'InvariantError', message: `transfer ${id(3)} moves 0 fen` });
});

test('a balanced plan that overdraws a limited account is refused, on either kind of limit', () => {
  const overdraft = { inserts: [], deltas: new Map([[AVAILABLE, delta({ debitsPosted: 201 })], [FUNDING, delta({ creditsPosted: 201 })]]) };
  assert.throws(() => assertPlanBalanced(overdraft, ACCOUNTS), { name: 'InvariantError', message: `the plan overdraws account ${AVAILABLE}: debits 201 fen over posted credits 200 fen` });
  assert.doesNotThrow(() => assertPlanBalanced({ inserts: [], deltas: new Map([[AVAILABLE, delta({ debitsPosted: 200 })], [FUNDING, delta({ creditsPosted: 200 })]]) }, ACCOUNTS));
  const overpaid = { inserts: [], deltas: new Map([[FUNDING, delta({ debitsPosted: 51 })], [DEBT, delta({ creditsPosted: 51 })]]) };
  assert.throws(() => assertPlanBalanced(overpaid, ACCOUNTS), { name: 'InvariantError', message: `the plan over-credits account ${DEBT}: credits 51 fen over posted debits 50 fen` });
});

test('an account already past its limit before the batch is not judged when the plan does not grow that side', () => {
  const over = new Map(ACCOUNTS).set(AVAILABLE, account(AVAILABLE, { merchantId: 7, kind: 'merchant_available', creditsPosted: 200, debitsPosted: 250, debitsMustNotExceedCredits: true }));
  assert.doesNotThrow(() => assertPlanBalanced({ inserts: [], deltas: new Map([[AVAILABLE, delta({ creditsPosted: 10 })], [FUNDING, delta({ debitsPosted: 10 })]]) }, over));
});

test('a plan that changes an account the batch did not load is refused', () => {
  const plan = { inserts: [], deltas: new Map([[99, delta({ debitsPosted: 5 })], [FUNDING, delta({ creditsPosted: 5 })]]) };
  assert.throws(() => assertPlanBalanced(plan, ACCOUNTS), { name: 'InvariantError', message: 'the plan changes account 99, which the batch did not load' });
});
