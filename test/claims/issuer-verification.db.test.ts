/**
 * Invoices checked with their issuer, through the real pipeline (recognition included), the sandbox
 * verification service and the API: a bill the issuer confirms is paid with a certain finding; one
 * whose total it contradicts is refused, saying why; one it does not know goes to a person. With the
 * service down the claim is decided without it and paid, then checked after payment: the issuer's
 * lower total puts it on the audit desk, whose overpayment decision takes the difference back through
 * the ledger, the books whole and the lots equal to the ledger. The cache and the daily limit are
 * tested on the store itself.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { issuedBillOf } from '../../sim/invoices/index.ts';
import { CLAIM_TASKS, claimTasks, type ClaimsRuntime } from '../../src/claims/index.ts';
import { merchantBalance } from '../../src/ledger/index.ts';
import { verifyBill, type InvoiceVerifier, type VerifyAnswer } from '../../src/verification/index.ts';
import { asOps, asReviewer } from '../support/app.ts';
import { createClaimsHarness, invoicePhoto, merchantWithCollectedCredit, multipart, waitForClaim, type ClaimsHarness } from '../support/claims.ts';
import { assertLotsMatchLedger } from '../support/credit-invariants.ts';
import { assertLedgerInvariants } from '../support/ledger-invariants.ts';

let h: ClaimsHarness;
before(async () => {
  h = await createClaimsHarness({ verifier: {} });
});
after(async () => h.close());

const merchantWithCredit = (n: number) => merchantWithCollectedCredit(h.db.pool, n);

async function claimFor(merchantId: number, photo: Buffer): Promise<string> {
  const body = multipart([
    { field: 'merchantId', value: String(merchantId) },
    { field: 'invoice', filename: 'invoice.jpg', type: 'image/jpeg', bytes: photo },
  ]);
  const res = await h.app.inject({ method: 'POST', url: '/v1/claims', headers: { ...asOps, ...body.headers }, payload: body.payload });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id as string;
}

const claimJson = async (id: string) => (await h.app.inject({ method: 'GET', url: `/v1/claims/${id}`, headers: asOps })).json();
const verificationOf = async (claimId: string) =>
  (await h.db.pool.query<{ outcome: string; deferred_because: string | null; after_payment: string | null; mismatched_fields: string[] | null }>('SELECT outcome, deferred_because, after_payment, mismatched_fields FROM claim_verifications WHERE claim_id = $1', [claimId])).rows[0];
const SETTLED = ['paid', 'rejected', 'in_review', 'photo_requested'] as const;

test('a bill its issuer confirms is paid with a certain finding; a total it contradicts is refused saying why; a bill it does not know goes to a person', async () => {
  const [m, m2, m3] = [await merchantWithCredit(301), await merchantWithCredit(303), await merchantWithCredit(304)];
  const confirmed = await invoicePhoto(31, m.legalName);
  h.verifier!.issue(issuedBillOf(confirmed.truth)!);
  const paidId = await claimFor(m.id, confirmed.image);
  assert.equal(await waitForClaim(h.db.pool, paidId, SETTLED), 'paid');
  const paid = await claimJson(paidId);
  const verified = paid.findings.find((f: { code: string }) => f.code === 'issuer_verified');
  assert.equal(verified?.ground, 'certain');
  assert.equal((await verificationOf(paidId))?.outcome, 'verified');

  // a forgery consistent with itself (items, words, figures and QR agree), 100 yuan above what the hospital issued
  const forged = await invoicePhoto(32, m2.legalName);
  const issued = issuedBillOf(forged.truth)!;
  h.verifier!.issue({ ...issued, totalFen: issued.totalFen! - 10_000 });
  const tamperedId = await claimFor(m2.id, forged.image);
  assert.equal(await waitForClaim(h.db.pool, tamperedId, SETTLED), 'rejected');
  const refused = await claimJson(tamperedId);
  assert.ok(refused.reasonCodes.includes('issuer_amount_mismatch'), JSON.stringify(refused.reasonCodes));
  assert.equal((await verificationOf(tamperedId))?.mismatched_fields?.join(), 'total');

  const unknown = await invoicePhoto(33, m3.legalName);
  const unknownId = await claimFor(m3.id, unknown.image);
  assert.equal(await waitForClaim(h.db.pool, unknownId, SETTLED), 'in_review');
  assert.deepEqual((await claimJson(unknownId)).reasonCodes, ['issuer_unknown_bill']);
  assert.equal((await verificationOf(unknownId))?.outcome, 'unknown_bill');
  await assertLedgerInvariants(h.db.pool);
  await assertLotsMatchLedger(h.db.pool);
});

test('with the service down a claim is decided without it and paid; checked after payment, the issuer puts it on the audit desk, and the overpayment is recovered through the ledger', async () => {
  const m = await merchantWithCredit(302);
  const photo = await invoicePhoto(34, m.legalName);
  // the issuer's record: 5 yuan less than the photo, which is consistent with itself
  const bill = issuedBillOf(photo.truth)!;
  h.verifier!.issue({ ...bill, totalFen: bill.totalFen! - 500 });
  h.verifier!.setFaults({ outage: true });
  const id = await claimFor(m.id, photo.image);
  assert.equal(await waitForClaim(h.db.pool, id, SETTLED), 'paid');
  const paid = await claimJson(id);
  const deferred = paid.findings.find((f: { code: string }) => f.code === 'issuer_check_deferred');
  assert.equal(deferred?.en, 'The invoice could not be checked with its issuer now (the verification service could not be reached); it is checked after payment.');
  assert.deepEqual(await verificationOf(id), { outcome: 'deferred', deferred_because: 'outage', after_payment: 'queued', mismatched_fields: null });

  const queued = await h.app.inject({ method: 'GET', url: '/v1/verifications/deferred?afterPayment=queued', headers: asReviewer });
  assert.equal(queued.statusCode, 200, queued.body);
  assert.ok(queued.json().data.some((r: { claimId: string; deferredBecause: string }) => r.claimId === id && r.deferredBecause === 'outage'));

  // the job's step (the workers run the same with retries): still down, it fails and is tried again
  const unused = () => Promise.reject(new Error('the check after payment reads no photo'));
  const runtime: ClaimsRuntime = { pool: h.db.pool, files: undefined as never, recognizer: unused, hospitals: unused, gateway: h.gateway, verification: h.verification! };
  const step = claimTasks(runtime)[CLAIM_TASKS.verify]!;
  await assert.rejects(async () => step({ merchantId: m.id, claimId: id }, undefined as never), /gave no answer \(outage\)/);
  h.verifier!.setFaults({});
  await step({ merchantId: m.id, claimId: id }, undefined as never);
  const after = await verificationOf(id);
  assert.deepEqual([after?.after_payment, after?.mismatched_fields], ['mismatched', ['total']]);
  const { rows: audits } = await h.db.pool.query<{ drawn_because: string; status: string; paid_fen: string }>('SELECT drawn_because, status, paid_fen::text FROM claim_audits WHERE claim_id = $1', [id]);
  assert.deepEqual(audits.map((a) => [a.drawn_because, a.status]), [['verification', 'pending']]);
  // a second run (a retry of a run that had finished) changes nothing
  await step({ merchantId: m.id, claimId: id }, undefined as never);
  assert.equal((await h.db.pool.query('SELECT 1 FROM claim_audits WHERE claim_id = $1', [id])).rowCount, 1);

  const paidFen = Number(audits[0]!.paid_fen);
  const before = (await merchantBalance(h.db.pool, m.id))!;
  const decided = await h.app.inject({ method: 'POST', url: `/v1/audits/${id}/decision`, headers: asReviewer, payload: { outcome: 'overpaid', dueFen: paidFen - 500, reasonCode: 'issuer_mismatch' } });
  assert.equal(decided.statusCode, 200, decided.body);
  assert.deepEqual([decided.json().recoveredFromCreditFen + decided.json().recoveredAsDebtFen], [500]);
  const afterBalance = (await merchantBalance(h.db.pool, m.id))!;
  assert.equal(before.availableFen - afterBalance.availableFen + afterBalance.debtFen - before.debtFen, 500);
  const told = await h.db.pool.query<{ zh: string; en: string }>("SELECT zh, en FROM merchant_notifications WHERE merchant_id = $1 AND kind = 'claim_audit_overpaid'", [m.id]);
  assert.match(told.rows[0]!.en, /because the issuer's record of the invoice differs from the invoice/);
  assert.match(told.rows[0]!.zh, /开票单位查验平台的记录与票据不符/);

  const summary = await h.app.inject({ method: 'GET', url: '/v1/verifications/summary', headers: asReviewer });
  assert.equal(summary.statusCode, 200, summary.body);
  assert.equal(summary.json().afterPayment.mismatched, 1);
  assert.equal(summary.json().sentToAudit, 1);
  assert.ok(summary.json().cache.foundBills >= 1);
  await assertLedgerInvariants(h.db.pool);
  await assertLotsMatchLedger(h.db.pool);
});

test('answers are cached (a found bill for good, "not found" for its day); checks of a bill are counted and stop at the daily limit', async () => {
  const answers: VerifyAnswer[] = [];
  let asked = 0;
  const fake: InvoiceVerifier = {
    verify: async () => {
      asked += 1;
      return answers.shift() ?? { kind: 'unavailable', reason: 'busy', detail: 'busy' };
    },
  };
  const limits = { dailyLimitPerBill: 2 };
  const request = { billCode: '11010126', billNumber: '0000000042', checkCode: 'abcdef', issueDate: '2026-11-01', totalFen: 1_000 };
  const day1 = new Date('2026-11-02T02:00:00Z');
  const day2 = new Date('2026-11-03T02:00:00Z');
  answers.push({ kind: 'not_found' });
  assert.deepEqual(await verifyBill(h.db.pool, fake, request, limits, day1), { answer: { kind: 'not_found' }, cached: false });
  assert.deepEqual(await verifyBill(h.db.pool, fake, request, limits, day1), { answer: { kind: 'not_found' }, cached: true });
  assert.equal(asked, 1);
  // the next day "not found" is asked again: the bill may have reached the platform since
  assert.deepEqual((await verifyBill(h.db.pool, fake, request, limits, day2)).answer.kind, 'unavailable');
  assert.deepEqual((await verifyBill(h.db.pool, fake, request, limits, day2)).answer.kind, 'unavailable');
  const limited = await verifyBill(h.db.pool, fake, request, limits, day2);
  assert.deepEqual([limited.answer.kind, limited.answer.kind === 'unavailable' && limited.answer.reason], ['unavailable', 'daily_limit']);
  assert.equal(asked, 3, 'the third check of the day was not sent');
  const found: VerifyAnswer = { kind: 'found', bill: { billCode: request.billCode, billNumber: request.billNumber, totalFen: 1_000 } };
  answers.push(found);
  const day3 = new Date('2026-11-04T02:00:00Z');
  assert.deepEqual(await verifyBill(h.db.pool, fake, request, limits, day3), { answer: found, cached: false });
  assert.deepEqual(await verifyBill(h.db.pool, fake, request, limits, new Date('2026-12-04T02:00:00Z')), { answer: found, cached: true });
  assert.equal(asked, 4);
  const { rows } = await h.db.pool.query('SELECT checks_total, to_char(limited_on, \'YYYY-MM-DD\') AS limited_on FROM invoice_verifications WHERE invoice_number = $1', [request.billNumber]);
  assert.deepEqual(rows, [{ checks_total: 4, limited_on: '2026-11-03' }]);
});
