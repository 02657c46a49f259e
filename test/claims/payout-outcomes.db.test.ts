/**
 * The money paths of a payout beyond "paid": a definite refusal by the gateway, a payout that runs out
 * of attempts, a refund whose claw-back meets a claim's open reservation, and a reservation that times
 * out with the lots' checks on. Each ends with the books whole and the lots equal to the ledger.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CLAIM_TASKS, claimTasks, getClaim, type ClaimsRuntime } from '../../src/claims/index.ts';
import { createTransfers, expirePendingTransfers, merchantAccounts, merchantBalance, programmeAccountIds, transferIdFor } from '../../src/ledger/index.ts';
import { importEnrolments } from '../../src/merchants/store.ts';
import { ingestPayments } from '../../src/payments/ingest.ts';
import { ATTEMPTS_EXHAUSTED, MAX_PAYOUT_ATTEMPTS, PayoutOutcomeUnknown } from '../../src/payouts/index.ts';
import { approvedClaimOf, createClaimsHarness, waitForClaim, type ClaimsHarness } from '../support/claims.ts';
import { earnAndCollect } from '../support/credit.ts';
import { assertLotsMatchLedger } from '../support/credit-invariants.ts';
import { enrolment, TEST_ID_HASH_KEY } from '../support/fixtures.ts';
import { untilPendingExpires } from '../support/ledger-clock.ts';
import { assertLedgerInvariants } from '../support/ledger-invariants.ts';
import { notification, payerWallet } from '../support/payments.ts';

let h: ClaimsHarness;
before(async () => {
  h = await createClaimsHarness({ workers: false });
});
after(async () => h.close());

const PAID_AT = new Date(Date.now() - 10 * 86_400_000);

/** Merchant n with 3 payers' credit collected (3 × 200 + the 200 welcome = 800 fen) and a claim approved for `benefitFen`. */
async function approvedClaim(n: number, benefitFen: number) {
  const input = enrolment(n);
  await importEnrolments(h.db.pool, [{ line: 2, input }], TEST_ID_HASH_KEY, { skipDuplicates: false });
  const merchantId = (await h.db.pool.query<{ merchant_id: number }>('SELECT merchant_id FROM merchant_wallets WHERE wallet_user_id = $1', [input.walletUserId])).rows[0]!.merchant_id;
  await earnAndCollect(h.db.pool, { id: merchantId, walletUserId: input.walletUserId }, 3, PAID_AT);
  const { claimId, payoutId } = await approvedClaimOf(h.db.pool, { merchantId, walletUserId: input.walletUserId }, { amountFen: benefitFen, invoiceNumber: String(n).padStart(10, '0'), visitDay: PAID_AT.toISOString().slice(0, 10) });
  return { merchantId, claimId, walletUserId: input.walletUserId, payoutId };
}

/** The pipeline's pay step, run here instead of by a worker: `retry` at its last so that an unknown outcome throws. */
function payStep(): (job: { merchantId: number; claimId: string; payoutId: string }) => Promise<void> {
  const gateway = h.gateway;
  const unused = () => Promise.reject(new Error('the pay step reads no photo'));
  const runtime: ClaimsRuntime = { pool: h.db.pool, files: undefined as never, recognizer: unused, hospitals: unused, gateway };
  const pay = claimTasks(runtime)[CLAIM_TASKS.pay]!;
  return async (job) => {
    await pay({ ...job, retry: Number.MAX_SAFE_INTEGER }, undefined as never); // the pay step uses no job helpers
  };
}

async function lastEvent(claimId: string): Promise<{ code: string; details: Record<string, unknown> }> {
  const { rows } = await h.db.pool.query<{ code: string; details: Record<string, unknown> }>('SELECT code, details FROM claim_events WHERE claim_id = $1 ORDER BY event_no DESC LIMIT 1', [claimId]);
  return rows[0]!;
}

test('a definite refusal by the gateway voids the reservation and gives the claim back to a person', async () => {
  const c = await approvedClaim(7_001, 500);
  assert.equal((await merchantBalance(h.db.pool, c.merchantId))!.reservedFen, 500);
  h.sandbox.setFaults({ forcedOutcomes: { [c.walletUserId]: 'PAYEE_NOT_EXIST' } });
  try {
    await payStep()(c);
  } finally {
    h.sandbox.setFaults({});
  }
  assert.equal(await waitForClaim(h.db.pool, c.claimId, ['in_review', 'paid']), 'in_review');
  const { rows } = await h.db.pool.query<{ state: string; failure_code: string }>('SELECT state, failure_code FROM payouts WHERE payout_id = $1', [c.payoutId]);
  assert.deepEqual(rows, [{ state: 'failed', failure_code: 'PAYEE_NOT_EXIST' }]);
  const event = await lastEvent(c.claimId);
  assert.equal(event.code, 'payout_failed');
  assert.equal(event.details.failureCode, 'PAYEE_NOT_EXIST');
  assert.deepEqual(await merchantBalance(h.db.pool, c.merchantId), { merchantId: c.merchantId, availableFen: 800, reservedFen: 0, pendingFen: 0, debtFen: 0 }, 'the credit is back');
  assert.equal(h.sandbox.wallet(c.walletUserId), 0);
  await assertLedgerInvariants(h.db.pool);
  await assertLotsMatchLedger(h.db.pool);
});

test('a payout out of attempts fails once the gateway confirms it holds nothing and the last request is old: the reservation is released', async () => {
  const c = await approvedClaim(7_002, 300);
  const pay = payStep();
  h.sandbox.setFaults({ forcedOutcomes: { [c.walletUserId]: 'SYSTEM_ERROR' } }); // answered before applying: nothing is paid
  try {
    for (let attempt = 1; attempt <= MAX_PAYOUT_ATTEMPTS; attempt++) await assert.rejects(pay(c), PayoutOutcomeUnknown, `attempt ${attempt}`);
    // out of attempts, but the last request is fresh: it might still land, so nothing is decided yet
    await assert.rejects(pay(c), /reached 12 attempts/);
    assert.equal((await merchantBalance(h.db.pool, c.merchantId))!.reservedFen, 300);
    // time passes (the payout untouched for 11 minutes): the gateway, asked once more, still holds no such transfer
    await h.db.pool.query("UPDATE payouts SET updated_at = updated_at - interval '11 minutes' WHERE payout_id = $1", [c.payoutId]);
    await pay(c);
  } finally {
    h.sandbox.setFaults({});
  }
  const { rows } = await h.db.pool.query<{ state: string; failure_code: string; attempts: number }>('SELECT state, failure_code, attempts FROM payouts WHERE payout_id = $1', [c.payoutId]);
  assert.deepEqual(rows, [{ state: 'failed', failure_code: ATTEMPTS_EXHAUSTED, attempts: MAX_PAYOUT_ATTEMPTS }]);
  assert.equal((await getClaim(h.db.pool, c.claimId))!.status, 'in_review');
  assert.deepEqual(await merchantBalance(h.db.pool, c.merchantId), { merchantId: c.merchantId, availableFen: 800, reservedFen: 0, pendingFen: 0, debtFen: 0 });
  assert.equal(h.sandbox.record(c.payoutId)?.status ?? 'absent', 'absent', 'the gateway never paid');
  await assertLedgerInvariants(h.db.pool);
  await assertLotsMatchLedger(h.db.pool);
});

test("a refund while a claim's reservation is open takes what is free, carries the rest as debt, and the payout still posts", async () => {
  const c = await approvedClaim(7_003, 700); // 800 available: 700 reserved, 100 free
  const m = enrolment(7_003);
  // the second payer's trade (earnAndCollect's naming) is refunded in full: its 200 fen are taken back
  const tradeNo = `T${c.merchantId}x${PAID_AT.getTime()}x1`;
  await ingestPayments(h.db.pool, [
    notification({ tradeNo, sellerId: m.walletUserId, buyerId: payerWallet(c.merchantId * 100 + 1), gmtPayment: PAID_AT, tradeStatus: 'TRADE_CLOSED', refundFeeFen: 1000, gmtRefund: new Date() }),
  ]);
  assert.deepEqual(await merchantBalance(h.db.pool, c.merchantId), { merchantId: c.merchantId, availableFen: 0, reservedFen: 700, pendingFen: 0, debtFen: 100 }, '100 free taken, 100 owed; the reservation untouched');
  await payStep()(c);
  assert.equal((await getClaim(h.db.pool, c.claimId))!.status, 'paid');
  assert.equal(h.sandbox.wallet(c.walletUserId), 700);
  assert.deepEqual(await merchantBalance(h.db.pool, c.merchantId), { merchantId: c.merchantId, availableFen: 0, reservedFen: 0, pendingFen: 0, debtFen: 100 });
  await assertLedgerInvariants(h.db.pool);
  await assertLotsMatchLedger(h.db.pool);
});

test('a reservation that times out is voided once by the sweep, with the lots checked against the ledger', async () => {
  const input = enrolment(7_004);
  await importEnrolments(h.db.pool, [{ line: 2, input }], TEST_ID_HASH_KEY, { skipDuplicates: false });
  const merchantId = (await h.db.pool.query<{ merchant_id: number }>('SELECT merchant_id FROM merchant_wallets WHERE wallet_user_id = $1', [input.walletUserId])).rows[0]!.merchant_id;
  await earnAndCollect(h.db.pool, { id: merchantId, walletUserId: input.walletUserId }, 3, PAID_AT);
  const accounts = (await merchantAccounts(h.db.pool, merchantId))!;
  const programme = await programmeAccountIds(h.db.pool);
  const reserveId = transferIdFor('timed-reservation', String(merchantId));
  const [made] = await createTransfers(h.db.pool, [
    { id: reserveId, phase: 'pending', debitAccountId: accounts.merchant_available.id, creditAccountId: programme.reimbursement_payable, amountFen: 450, code: 'spend', timeoutS: 1 },
  ]);
  assert.equal(made!.status, 'created');
  assert.equal((await merchantBalance(h.db.pool, merchantId))!.reservedFen, 450);
  await untilPendingExpires(h.db.pool, reserveId);
  const [first, second] = await Promise.all([expirePendingTransfers(h.db.pool), expirePendingTransfers(h.db.pool)]);
  assert.equal([...first!, ...second!].filter((r) => r.id === transferIdFor('void-expired', reserveId) && r.status === 'created').length, 1, 'voided once');
  assert.deepEqual(await merchantBalance(h.db.pool, merchantId), { merchantId, availableFen: 800, reservedFen: 0, pendingFen: 0, debtFen: 0 });
  await assertLedgerInvariants(h.db.pool);
  await assertLotsMatchLedger(h.db.pool);
});
