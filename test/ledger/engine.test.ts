import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planBatch, type LedgerSnapshot, type PendingState, type TransferRow } from '../../src/ledger/engine.ts';
import { transferIdFor } from '../../src/ledger/ids.ts';
import type { Account, NewTransfer, TransferInput } from '../../src/ledger/types.ts';

const FUNDING = 1;
const AVAILABLE = 10;
const DEBT = 11;
const OTHER_MERCHANT_AVAILABLE = 20;
const NOW = new Date('2026-11-24T00:00:00Z');

function account(id: number, overrides: Partial<Account> = {}): Account {
  return {
    id,
    merchantId: null,
    kind: 'programme_funding',
    debitsPending: 0,
    debitsPosted: 0,
    creditsPending: 0,
    creditsPosted: 0,
    debitsMustNotExceedCredits: false,
    creditsMustNotExceedDebits: false,
    ...overrides,
  };
}

function snapshot(options: { availableFen?: number; existing?: TransferRow[]; pendings?: [string, PendingState][] } = {}): LedgerSnapshot {
  return {
    now: NOW,
    accounts: new Map([
      [FUNDING, account(FUNDING)],
      [AVAILABLE, account(AVAILABLE, { merchantId: 7, kind: 'merchant_available', creditsPosted: options.availableFen ?? 0, debitsMustNotExceedCredits: true })],
      [DEBT, account(DEBT, { merchantId: 7, kind: 'merchant_debt', creditsMustNotExceedDebits: true })],
      [OTHER_MERCHANT_AVAILABLE, account(OTHER_MERCHANT_AVAILABLE, { merchantId: 8, kind: 'merchant_available', debitsMustNotExceedCredits: true })],
    ]),
    existing: new Map((options.existing ?? []).map((r) => [r.id, r])),
    pendings: new Map(options.pendings ?? []),
  };
}

const id = (n: number) => transferIdFor('engine-test', n);
const accrual = (n: number, amountFen: number, extra: Partial<NewTransfer> = {}): NewTransfer => ({ id: id(n), debitAccountId: FUNDING, creditAccountId: AVAILABLE, amountFen, code: 'accrual', ...extra });
const spend = (n: number, amountFen: number, extra: Partial<NewTransfer> = {}): NewTransfer => ({ id: id(n), debitAccountId: AVAILABLE, creditAccountId: FUNDING, amountFen, code: 'spend', ...extra });

test('single transfers post at once and the hot account gets one delta for the batch', () => {
  const plan = planBatch([accrual(1, 200), accrual(2, 200), spend(3, 150)], snapshot());
  assert.deepEqual(plan.results.map((r) => r.status), ['created', 'created', 'created']);
  assert.deepEqual(plan.deltas.get(FUNDING), { debitsPending: 0, debitsPosted: 400, creditsPending: 0, creditsPosted: 150 });
  assert.deepEqual(plan.deltas.get(AVAILABLE), { debitsPending: 0, debitsPosted: 150, creditsPending: 0, creditsPosted: 400 });
  assert.equal(plan.inserts.length, 3);
  assert.equal(plan.inserts[0]!.merchantId, 7);
});

test('a spend beyond the available credit fails alone; the rest of the batch applies', () => {
  const plan = planBatch([accrual(1, 100), spend(2, 101), spend(3, 100)], snapshot());
  assert.deepEqual(plan.results.map((r) => (r.status === 'failed' ? r.error : r.status)), ['created', 'exceeds_credits', 'created']);
  assert.deepEqual(plan.deltas.get(AVAILABLE), { debitsPending: 0, debitsPosted: 100, creditsPending: 0, creditsPosted: 100 });
});

test('debt can be repaid but never below zero', () => {
  const repay = { id: id(1), debitAccountId: FUNDING, creditAccountId: DEBT, amountFen: 1, code: 'debt_repay' };
  const plan = planBatch([repay], snapshot());
  assert.deepEqual(plan.results[0], { id: id(1), status: 'failed', error: 'exceeds_debits' });
});

test('two-phase: reserve, then post part of it; a second post is refused', () => {
  const reserve = spend(1, 500, { phase: 'pending', timeoutS: 60 });
  const post: TransferInput = { id: id(2), phase: 'post', pendingId: id(1), amountFen: 300, code: 'spend' };
  const again: TransferInput = { id: id(3), phase: 'void', pendingId: id(1), code: 'spend_void' };
  const plan = planBatch([reserve, post, again], snapshot({ availableFen: 1000 }));
  assert.deepEqual(plan.results.map((r) => (r.status === 'failed' ? r.error : r.status)), ['created', 'created', 'pending_transfer_already_posted']);
  assert.deepEqual(plan.deltas.get(AVAILABLE), { debitsPending: 0, debitsPosted: 300, creditsPending: 0, creditsPosted: 0 });
  // opened and closed within the batch: nothing to record as open
  assert.deepEqual(plan.openPending, []);
  assert.deepEqual(plan.closePending, []);
});

test('a reservation counts against the limit until it is voided', () => {
  const plan = planBatch(
    [spend(1, 800, { phase: 'pending' }), spend(2, 300), { id: id(3), phase: 'void', pendingId: id(1), code: 'spend_void' }, spend(4, 300)],
    snapshot({ availableFen: 1000 }),
  );
  assert.deepEqual(plan.results.map((r) => (r.status === 'failed' ? r.error : r.status)), ['created', 'exceeds_credits', 'created', 'created']);
});

test('posting an expired reservation is refused, voiding it is allowed', () => {
  const pendingRow: TransferRow = { id: id(1), debitAccountId: AVAILABLE, creditAccountId: FUNDING, amountFen: 100, code: 'spend', phase: 'pending', pendingId: null, timeoutS: 10, merchantId: 7, reference: null };
  const expired: PendingState = { row: pendingRow, expiresAt: new Date(NOW.getTime() - 1), resolution: 'open' };
  const snap = snapshot({ availableFen: 1000, pendings: [[id(1), expired]] });
  const post = planBatch([{ id: id(2), phase: 'post', pendingId: id(1), code: 'spend' }], snap);
  assert.deepEqual(post.results[0], { id: id(2), status: 'failed', error: 'pending_transfer_expired' });
  const voided = planBatch([{ id: id(3), phase: 'void', pendingId: id(1), code: 'pending_expired' }], snap);
  assert.equal(voided.results[0]!.status, 'created');
  assert.deepEqual(voided.closePending, [id(1)]);
});

test('a post cannot exceed the reserved amount, nor resolve a non-pending transfer', () => {
  const plan = planBatch(
    [spend(1, 100, { phase: 'pending' }), { id: id(2), phase: 'post', pendingId: id(1), amountFen: 101, code: 'spend' }, accrual(3, 5), { id: id(4), phase: 'post', pendingId: id(3), code: 'spend' }, { id: id(5), phase: 'post', pendingId: id(99), code: 'spend' }],
    snapshot({ availableFen: 1000 }),
  );
  assert.deepEqual(plan.results.map((r) => (r.status === 'failed' ? r.error : r.status)), ['created', 'exceeds_pending_transfer_amount', 'created', 'pending_transfer_not_pending', 'pending_transfer_not_found']);
});

test('a linked chain applies all or nothing', () => {
  // clawback of 300 when only 200 is available: take 200 and book 100 as debt, atomically
  const chainOk = [spend(1, 200, { code: 'clawback', linked: true }), { id: id(2), debitAccountId: DEBT, creditAccountId: FUNDING, amountFen: 100, code: 'clawback' }];
  const ok = planBatch(chainOk, snapshot({ availableFen: 200 }));
  assert.deepEqual(ok.results.map((r) => r.status), ['created', 'created']);

  const chainBad = [accrual(3, 50, { linked: true }), spend(4, 500, { linked: true }), accrual(5, 1), accrual(6, 7)];
  const bad = planBatch(chainBad, snapshot({ availableFen: 200 }));
  assert.deepEqual(bad.results.map((r) => (r.status === 'failed' ? r.error : r.status)), ['linked_event_failed', 'exceeds_credits', 'linked_event_failed', 'created']);
  assert.deepEqual(bad.deltas.get(AVAILABLE), { debitsPending: 0, debitsPosted: 0, creditsPending: 0, creditsPosted: 7 });
  assert.equal(bad.inserts.length, 1);
});

test('a batch that ends inside a linked chain applies none of the chain', () => {
  const plan = planBatch([accrual(1, 5), accrual(2, 5, { linked: true })], snapshot());
  assert.deepEqual(plan.results.map((r) => (r.status === 'failed' ? r.error : r.status)), ['created', 'linked_event_chain_open']);
  assert.equal(plan.inserts.length, 1);
});

test('the same id with the same body is an idempotent no-op; with another body it is a conflict', () => {
  const stored: TransferRow = { id: id(1), debitAccountId: FUNDING, creditAccountId: AVAILABLE, amountFen: 200, code: 'accrual', phase: 'single', pendingId: null, timeoutS: 0, merchantId: 7, reference: null };
  const plan = planBatch([accrual(1, 200), accrual(1, 201), accrual(2, 10), accrual(2, 10), accrual(2, 11)], snapshot({ existing: [stored] }));
  assert.deepEqual(plan.results.map((r) => (r.status === 'failed' ? r.error : r.status)), ['exists', 'exists_with_different_fields', 'created', 'exists', 'exists_with_different_fields']);
  assert.equal(plan.inserts.length, 1);
  assert.equal(plan.deltas.get(AVAILABLE)!.creditsPosted, 10);
});

test('refuses malformed transfers with a specific error', () => {
  const plan = planBatch(
    [
      { ...accrual(1, 1), id: 'not-a-uuid' },
      accrual(2, 0),
      accrual(3, 1.5),
      accrual(4, 1, { code: 'Bad Code' }),
      { ...accrual(5, 1), creditAccountId: FUNDING },
      { ...accrual(6, 1), creditAccountId: 999 },
      { ...accrual(7, 1), debitAccountId: 999 },
      accrual(8, 1, { timeoutS: 5 }),
      { ...accrual(9, 1), debitAccountId: OTHER_MERCHANT_AVAILABLE, creditAccountId: AVAILABLE },
      accrual(10, 1, { reference: 'x'.repeat(129) }),
    ],
    snapshot(),
  );
  assert.deepEqual(
    plan.results.map((r) => (r.status === 'failed' ? r.error : r.status)),
    ['id_invalid', 'amount_invalid', 'amount_invalid', 'code_invalid', 'accounts_must_be_different', 'credit_account_not_found', 'debit_account_not_found', 'timeout_reserved_for_pending_transfer', 'accounts_belong_to_different_merchants', 'reference_invalid'],
  );
  assert.equal(plan.inserts.length, 0);
  assert.equal(plan.deltas.size, 0);
});

test('upper-case ids are the same transfer as lower-case ones', () => {
  const plan = planBatch([accrual(1, 5), { ...accrual(1, 5), id: id(1).toUpperCase() }], snapshot());
  assert.deepEqual(plan.results.map((r) => r.status), ['created', 'exists']);
});
