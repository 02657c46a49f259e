import assert from 'node:assert/strict';
import sharp from 'sharp';
import { after, before, test } from 'node:test';
import { merchantBalance } from '../../src/ledger/index.ts';
import { businessDay } from '../../src/shared/business-day.ts';
import { reconcilePayoutDay } from '../../src/payouts/index.ts';
import { asOps, asReviewer } from '../support/app.ts';
import { coveredByTheRules, createClaimsHarness, invoicePhoto, merchantWithCollectedCredit, multipart, waitForClaim, type ClaimsHarness } from '../support/claims.ts';
import { assertLotsMatchLedger } from '../support/credit-invariants.ts';
import { enrolMerchants, enrolment } from '../support/fixtures.ts';
import { assertLedgerInvariants } from '../support/ledger-invariants.ts';
import { signInApi, signInBrowser, TestClock } from '../auth/support.ts';

let h: ClaimsHarness;
before(async () => {
  h = await createClaimsHarness();
});
after(async () => h.close());

const merchantWithCredit = (n: number, payers = 5) => merchantWithCollectedCredit(h.db.pool, n, payers);

async function submit(merchantId: number, photo: Buffer, headers: Record<string, string> = {}) {
  const body = multipart([
    { field: 'merchantId', value: String(merchantId) },
    { field: 'invoice', filename: 'invoice.jpg', type: 'image/jpeg', bytes: photo },
  ]);
  return h.app.inject({ method: 'POST', url: '/v1/claims', headers: { ...asOps, ...body.headers, ...headers }, payload: body.payload });
}

test('a photographed invoice becomes money in the wallet, once, and the ledger shows the spend', async () => {
  const merchant = await merchantWithCredit(101);
  const before = (await merchantBalance(h.db.pool, merchant.id))!;
  assert.equal(before.availableFen, 1_200, '5 payers × 200 fen + the 200 fen welcome credit');
  const invoice = await invoicePhoto(7, merchant.legalName);
  const res = await submit(merchant.id, invoice.image);
  assert.equal(res.statusCode, 201, res.body);
  const claim = res.json();
  assert.equal(claim.status, 'submitted');
  assert.deepEqual(claim.timeline.map((e: { code: string }) => e.code), ['submitted']);

  assert.equal(await waitForClaim(h.db.pool, claim.id, ['paid', 'rejected', 'in_review', 'photo_requested']), 'paid');
  const paid = (await h.app.inject({ method: 'GET', url: `/v1/claims/${claim.id}`, headers: asOps })).json();
  const expected = Math.min(1_200, 20_000, coveredByTheRules(invoice.truth));
  assert.equal(paid.coveredFen, coveredByTheRules(invoice.truth));
  assert.equal(paid.paidFen, expected);
  assert.equal(paid.invoice.number, invoice.truth.invoiceNumber);
  assert.deepEqual(paid.timeline.map((e: { status: string }) => e.status), ['submitted', 'recognized', 'approved', 'paid']);
  assert.equal(h.sandbox.wallet(merchant.walletUserId), expected, 'the wallet received the benefit');
  assert.equal(h.sandbox.records().filter((r) => r.payeeUserId === merchant.walletUserId).length, 1, 'one transfer');

  const after = (await merchantBalance(h.db.pool, merchant.id))!;
  assert.equal(after.availableFen, 1_200 - expected);
  assert.equal(after.reservedFen, 0);
  const spends = await h.db.pool.query("SELECT phase, amount_fen FROM ledger_transfers WHERE code = 'spend' AND reference = $1 ORDER BY seq", [claim.id]);
  assert.deepEqual(spends.rows, [
    { phase: 'pending', amount_fen: expected },
    { phase: 'post', amount_fen: expected },
  ]);
  await assertLedgerInvariants(h.db.pool);
  await assertLotsMatchLedger(h.db.pool);
});

test('the same invoice is reimbursed once across merchants: a second claim for it is refused', async () => {
  const first = await merchantWithCredit(102);
  const second = await merchantWithCredit(103);
  const invoice = await invoicePhoto(11, first.legalName);
  const a = (await submit(first.id, invoice.image)).json();
  assert.equal(await waitForClaim(h.db.pool, a.id, ['paid', 'rejected', 'in_review']), 'paid');
  // the other merchant photographs the same paper (another rendering: a re-photographed copy)
  const copy = await invoicePhoto(11, first.legalName, { variant: 'jpeg' });
  const b = (await submit(second.id, copy.image)).json();
  const outcome = await waitForClaim(h.db.pool, b.id, ['paid', 'rejected', 'in_review']);
  assert.notEqual(outcome, 'paid', 'never paid twice');
  const claim = (await h.app.inject({ method: 'GET', url: `/v1/claims/${b.id}`, headers: asOps })).json();
  assert.ok(claim.reasonCodes.includes('already_reimbursed'), JSON.stringify(claim.reasonCodes));
  assert.equal(h.sandbox.wallet(second.walletUserId), 0);
  await assertLotsMatchLedger(h.db.pool);
});

test('a claim for someone else, read surely, is refused by the machine and not paid', async () => {
  const merchant = await merchantWithCredit(104);
  const invoice = await invoicePhoto(13, '王小明'); // three characters from the merchant's 陈静
  const claim = (await submit(merchant.id, invoice.image)).json();
  assert.equal(await waitForClaim(h.db.pool, claim.id, ['paid', 'rejected', 'in_review']), 'rejected');
  const refused = (await h.app.inject({ method: 'GET', url: `/v1/claims/${claim.id}`, headers: asOps })).json();
  assert.ok(refused.reasonCodes.includes('patient_not_merchant'), JSON.stringify(refused.reasonCodes));
  assert.equal(h.sandbox.wallet(merchant.walletUserId), 0);
  assert.equal((await merchantBalance(h.db.pool, merchant.id))!.reservedFen, 0);
});

test('a name one character off goes to a person; the reviewer rejects it, audited, and nothing is paid', async () => {
  const merchant = await merchantWithCredit(114);
  const invoice = await invoicePhoto(13, '陈晶'); // the merchant is 陈静: a misread or another person, a person decides
  const claim = (await submit(merchant.id, invoice.image)).json();
  assert.equal(await waitForClaim(h.db.pool, claim.id, ['paid', 'rejected', 'in_review']), 'in_review');
  const queue = (await h.app.inject({ method: 'GET', url: '/v1/review/claims', headers: asReviewer })).json();
  assert.ok(queue.data.some((item: { claim: { id: string } }) => item.claim.id === claim.id));
  const decided = await h.app.inject({ method: 'POST', url: `/v1/review/claims/${claim.id}/decision`, headers: asReviewer, payload: { action: 'reject', reasonCode: 'wrong_patient' } });
  assert.equal(decided.statusCode, 200, decided.body);
  assert.equal(decided.json().status, 'rejected');
  const audit = await h.db.pool.query("SELECT action, subject_id FROM audit_log WHERE action = 'claim.reject'");
  assert.deepEqual(audit.rows, [{ action: 'claim.reject', subject_id: claim.id }]);
  assert.equal(h.sandbox.wallet(merchant.walletUserId), 0);
  assert.equal((await merchantBalance(h.db.pool, merchant.id))!.reservedFen, 0);
  await assertLedgerInvariants(h.db.pool);
  await assertLotsMatchLedger(h.db.pool);
});

test('a reviewer approves a claim in review, never above the rules, and it is paid', async () => {
  const merchant = await merchantWithCredit(105);
  // a pharmacy receipt is not a hospital bill the machine may approve: a person decides
  const invoice = await invoicePhoto(17, merchant.legalName, { layout: 'pharmacy-receipt' });
  const claim = (await submit(merchant.id, invoice.image)).json();
  assert.equal(await waitForClaim(h.db.pool, claim.id, ['paid', 'rejected', 'in_review']), 'in_review');
  // a receipt prints no invoice code and names no hospital of the registry: the reviewer supplies them
  const read = { invoiceCode: 'R0000017', hospitalId: 'H110001', coveredFen: 1_000 };
  const tooMuch = await h.app.inject({ method: 'POST', url: `/v1/review/claims/${claim.id}/decision`, headers: asReviewer, payload: { action: 'approve', amountFen: 1_300, reasonCode: 'patient_is_spouse', ...read } });
  assert.equal(tooMuch.statusCode, 422, tooMuch.body);
  assert.equal(tooMuch.json().error.code, 'amount_above_rules');
  const ok = await h.app.inject({ method: 'POST', url: `/v1/review/claims/${claim.id}/decision`, headers: asReviewer, payload: { action: 'approve', amountFen: 500, reasonCode: 'patient_is_spouse', ...read } });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(await waitForClaim(h.db.pool, claim.id, ['paid']), 'paid');
  assert.equal(h.sandbox.wallet(merchant.walletUserId), 500);
  const again = await h.app.inject({ method: 'POST', url: `/v1/review/claims/${claim.id}/decision`, headers: asReviewer, payload: { action: 'approve', reasonCode: 'again' } });
  assert.equal(again.statusCode, 409, 'a decided claim is not decided twice');
  await assertLedgerInvariants(h.db.pool);
  await assertLotsMatchLedger(h.db.pool);
});

test('submission refuses what it cannot take, with a specific error, and writes nothing', async () => {
  const merchant = await merchantWithCredit(106);
  const claimsBefore = (await h.db.pool.query('SELECT count(*)::int AS n FROM claims')).rows[0].n;
  const text = Buffer.from('this is not a photo of anything at all, just some words in a file named like a photo. '.repeat(3));
  const notAPhoto = await submit(merchant.id, text);
  assert.equal(notAPhoto.statusCode, 415);
  assert.equal(notAPhoto.json().error.code, 'unsupported_file_type');
  const photo = (await invoicePhoto(19, merchant.legalName)).image;
  const seven = multipart([{ field: 'merchantId', value: String(merchant.id) }, ...Array.from({ length: 7 }, () => ({ field: 'invoice', bytes: photo }))]);
  const tooMany = await h.app.inject({ method: 'POST', url: '/v1/claims', headers: { ...asOps, ...seven.headers }, payload: seven.payload });
  assert.equal(tooMany.statusCode, 400);
  assert.equal(tooMany.json().error.code, 'too_many_files');
  // three 14 MiB files are each within the per-file limit, but not together: refused by name as the third arrives
  const big = Buffer.concat([photo, Buffer.alloc(14 * 1024 * 1024 - photo.length)]); // a JPEG, padded
  const heavy = multipart([{ field: 'merchantId', value: String(merchant.id) }, ...Array.from({ length: 3 }, () => ({ field: 'invoice', bytes: big }))]);
  const tooHeavy = await h.app.inject({ method: 'POST', url: '/v1/claims', headers: { ...asOps, ...heavy.headers }, payload: heavy.payload });
  assert.equal(tooHeavy.statusCode, 413, tooHeavy.body);
  assert.equal(tooHeavy.json().error.code, 'payload_too_large');
  const none = multipart([{ field: 'merchantId', value: String(merchant.id) }]);
  const noInvoice = await h.app.inject({ method: 'POST', url: '/v1/claims', headers: { ...asOps, ...none.headers }, payload: none.payload });
  assert.equal(noInvoice.json().error.code, 'invoice_missing');
  const json = await h.app.inject({ method: 'POST', url: '/v1/claims', headers: asOps, payload: { invoice: 'x' } });
  assert.equal(json.statusCode, 415);
  const [broke] = await enrolMerchants(h.db.pool, 1, 107);
  const noCredit = await submit(broke!.id, photo);
  assert.equal(noCredit.statusCode, 422);
  assert.equal(noCredit.json().error.code, 'no_credit');
  const unknown = await submit(999_999, photo);
  assert.equal(unknown.statusCode, 404);
  assert.equal((await h.db.pool.query('SELECT count(*)::int AS n FROM claims')).rows[0].n, claimsBefore, 'nothing written');
});

test('an Idempotency-Key replays the same claim; the same key with other files is refused', async () => {
  const merchant = await merchantWithCredit(108);
  const photo = (await invoicePhoto(23, merchant.legalName)).image;
  const first = await submit(merchant.id, photo, { 'idempotency-key': 'claim-108-a' });
  const again = await submit(merchant.id, photo, { 'idempotency-key': 'claim-108-a' });
  assert.equal(first.statusCode, 201);
  assert.equal(again.statusCode, 201);
  assert.equal(again.headers['idempotent-replayed'], 'true');
  assert.equal(again.json().id, first.json().id);
  const other = await submit(merchant.id, (await invoicePhoto(29, merchant.legalName)).image, { 'idempotency-key': 'claim-108-a' });
  assert.equal(other.statusCode, 409);
  assert.equal(other.json().error.code, 'idempotency_key_reused');
  await waitForClaim(h.db.pool, first.json().id, ['paid', 'rejected', 'in_review']);
});

test("a merchant's session submits and follows its own claims; another merchant's claim answers 404", async () => {
  const owner = await merchantWithCredit(109);
  const other = await merchantWithCredit(110);
  const clock = new TestClock(Date.now());
  const ownerSession = await signInApi(h, clock, enrolment(109).phone);
  const otherSession = await signInBrowser(h, clock, enrolment(110).phone);
  const photo = (await invoicePhoto(31, owner.legalName)).image;
  const body = multipart([{ field: 'invoice', filename: 'bill.png', type: 'image/png', bytes: photo }]);
  const created = await h.app.inject({ method: 'POST', url: '/v1/claims', headers: { authorization: `Bearer ${ownerSession.token}`, ...body.headers }, payload: body.payload });
  assert.equal(created.statusCode, 201, created.body);
  const claimId = created.json().id;
  assert.equal(created.json().merchantId, String(owner.id));
  const own = await h.app.inject({ method: 'GET', url: `/v1/claims/${claimId}`, headers: { authorization: `Bearer ${ownerSession.token}` } });
  assert.equal(own.statusCode, 200);
  const cookie = { cookie: `cp_session=${otherSession.cookie}` };
  for (const url of [`/v1/claims/${claimId}`, `/v1/claims/${claimId}/events`, `/v1/claims/${claimId}/files/${created.json().files[0].sha256}`]) {
    const res = await h.app.inject({ method: 'GET', url, headers: cookie });
    assert.equal(res.statusCode, 404, `${url}: ${res.body}`);
    assert.equal(res.json().error.code, 'claim_not_found');
  }
  const list = await h.app.inject({ method: 'GET', url: '/v1/claims', headers: cookie });
  assert.deepEqual(list.json().data, [], "the other merchant's list holds none of it");
  const noCsrf = multipart([{ field: 'invoice', bytes: (await invoicePhoto(37, other.legalName)).image }]);
  const forged = await h.app.inject({ method: 'POST', url: '/v1/claims', headers: { ...cookie, ...noCsrf.headers }, payload: noCsrf.payload });
  assert.equal(forged.statusCode, 403, 'a cookie session must send its CSRF token');
  const reviewOnly = await h.app.inject({ method: 'GET', url: '/v1/review/claims', headers: { authorization: `Bearer ${ownerSession.token}` } });
  assert.ok([401, 403].includes(reviewOnly.statusCode), 'merchants do not reach the review desk');
  await waitForClaim(h.db.pool, claimId, ['paid', 'rejected', 'in_review']);
});

test('the live stream sends the claim as it changes and ends when it is paid', async () => {
  const merchant = await merchantWithCredit(111);
  const created = (await submit(merchant.id, (await invoicePhoto(41, merchant.legalName)).image)).json();
  const address = await h.app.listen({ port: 0, host: '127.0.0.1' });
  const res = await fetch(`${address}/v1/claims/${created.id}/events`, { headers: asOps });
  assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const text = await res.text(); // the server ends the stream after paid (or rejected)
  const statuses = [...text.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]!).status as string);
  assert.equal(statuses.at(-1), 'paid', text.slice(0, 500));
  assert.ok(statuses.length >= 2, 'at least the status at connection and the final one');
});

test('a photo with no invoice in it asks for a better one; the answer is read and paid', async () => {
  const merchant = await merchantWithCredit(112);
  const dark = await sharp({ create: { width: 1200, height: 1600, channels: 3, background: { r: 20, g: 20, b: 24 } } }).jpeg().toBuffer();
  const created = (await submit(merchant.id, dark)).json();
  assert.equal(await waitForClaim(h.db.pool, created.id, ['photo_requested', 'paid', 'rejected', 'in_review']), 'photo_requested');
  const asked = (await h.app.inject({ method: 'GET', url: `/v1/claims/${created.id}`, headers: asOps })).json();
  const advice = asked.timeline.at(-1);
  assert.equal(advice.code, 'retake_too_dark', JSON.stringify(advice));
  assert.match(advice.zh, /太暗/);
  const body = multipart([{ field: 'invoice', bytes: (await invoicePhoto(43, merchant.legalName)).image }]);
  const answered = await h.app.inject({ method: 'POST', url: `/v1/claims/${created.id}/photos`, headers: { ...asOps, ...body.headers }, payload: body.payload });
  assert.equal(answered.statusCode, 200, answered.body);
  assert.equal(answered.json().status, 'submitted');
  assert.equal(await waitForClaim(h.db.pool, created.id, ['paid', 'rejected', 'in_review', 'photo_requested']), 'paid');
  const twice = await h.app.inject({ method: 'POST', url: `/v1/claims/${created.id}/photos`, headers: { ...asOps, ...body.headers }, payload: body.payload });
  assert.equal(twice.statusCode, 409);
});

test('the nightly reconciliation finds our payouts in the gateway’s bill and raises an operator alert for each mismatch', async () => {
  const { rows: paid } = await h.db.pool.query<{ payout_id: string; settled_at: Date }>("SELECT payout_id, settled_at FROM payouts WHERE state = 'succeeded' ORDER BY settled_at");
  assert.ok(paid.length >= 1, 'earlier tests paid claims');
  const day = businessDay(paid[0]!.settled_at);
  const gateway = h.gateway;
  const bills = (d: string) => gateway.bill(d);
  const clean = await reconcilePayoutDay(h.db.pool, bills, day);
  assert.deepEqual(clean.mismatches, []);
  assert.ok(clean.gatewayRecords >= 1);

  // a transfer the gateway made that no payout of ours posted, and a payout whose amount we changed
  const stray = await gateway.transfer({ outBizNo: 'STRAYTRANSFER0001', amountFen: 123, payeeUserId: '2088000000009999', orderTitle: '门诊报销' });
  assert.equal(stray.kind, 'success');
  await h.db.pool.query('UPDATE payouts SET amount_fen = amount_fen + 1 WHERE payout_id = $1', [paid[0]!.payout_id]);
  // the gateway's bill puts the stray on its own day: the payout's day and the stray's day may differ (a run over midnight)
  const strayRecord = h.sandbox.records().find((r) => r.outBizNo === 'STRAYTRANSFER0001')!;
  const strayDay = strayRecord.transDate.slice(0, 10);
  const payoutDay = await reconcilePayoutDay(h.db.pool, bills, day);
  const dirty = strayDay === day ? payoutDay : await reconcilePayoutDay(h.db.pool, bills, strayDay);
  assert.deepEqual(payoutDay.mismatches.filter((m) => m.kind === 'amount_differs').map((m) => m.kind), ['amount_differs']);
  assert.deepEqual(dirty.mismatches.filter((m) => m.kind === 'gateway_transfer_not_posted').map((m) => m.kind), ['gateway_transfer_not_posted']);
  assert.deepEqual([...new Set([...payoutDay.mismatches, ...dirty.mismatches].map((m) => m.kind))].sort(), ['amount_differs', 'gateway_transfer_not_posted']);
  const alerts = (await h.app.inject({ url: '/v1/ops/alerts', headers: asOps })).json().data as { kind: string; subject: string; resolvedAt: string | null }[];
  assert.ok(alerts.some((a) => a.kind === 'payout_reconciliation.gateway_transfer_not_posted' && a.subject === 'STRAYTRANSFER0001' && a.resolvedAt === null));
  // a second run of the same day updates its alerts instead of adding more
  await reconcilePayoutDay(h.db.pool, bills, dirty.businessDay);
  const again = (await h.app.inject({ url: '/v1/ops/alerts', headers: asOps })).json().data as unknown[];
  assert.equal(again.length, alerts.length);
  await h.db.pool.query('UPDATE payouts SET amount_fen = amount_fen - 1 WHERE payout_id = $1', [paid[0]!.payout_id]);
});

test('a title whose 门诊 reads as a variant glyph (內诊) is paid; so is a title that names no kind, from its 门诊号 and its seal', async () => {
  const merchant = await merchantWithCredit(113);
  const variant = await invoicePhoto(47, merchant.legalName, { overrides: { outpatientWord: '內诊' } });
  const claim = (await submit(merchant.id, variant.image)).json();
  assert.equal(await waitForClaim(h.db.pool, claim.id, ['paid', 'rejected', 'in_review', 'photo_requested']), 'paid');
  // 浙江省医疗收费票据（电子）: the title names no kind; the bill's 门诊号 label and 门诊收费专用章 seal do
  // (a page whose print names no kind at all still goes to a person: kindCheck, unchanged)
  const other = await merchantWithCredit(116);
  const untitled = await invoicePhoto(61, other.legalName, { overrides: { outpatientWord: '' } });
  const sent = await submit(other.id, untitled.image);
  assert.equal(sent.statusCode, 201, sent.body);
  assert.equal(await waitForClaim(h.db.pool, sent.json().id, ['paid', 'rejected', 'in_review', 'photo_requested']), 'paid');
});

test('a department printed as a field of its own (科室：产科) at a general hospital is refused, not paid', async () => {
  const merchant = await merchantWithCredit(114);
  const invoice = await invoicePhoto(53, merchant.legalName, { overrides: { department: '产科' } });
  const claim = (await submit(merchant.id, invoice.image)).json();
  assert.equal(await waitForClaim(h.db.pool, claim.id, ['paid', 'rejected', 'in_review', 'photo_requested']), 'rejected');
  const decided = (await h.app.inject({ method: 'GET', url: `/v1/claims/${claim.id}`, headers: asOps })).json();
  assert.ok(decided.reasonCodes.includes('excluded_care'), JSON.stringify(decided.reasonCodes));
  assert.equal(h.sandbox.wallet(merchant.walletUserId), 0);
});

test('other funds in the split (大病保险, 公务员补助) are read: the split adds up and the claim is paid', async () => {
  const merchant = await merchantWithCredit(115);
  const otherFunds = [
    { label: '大病保险', fen: 300 },
    { label: '公务员补助', fen: 200 },
  ];
  const invoice = await invoicePhoto(59, merchant.legalName, { overrides: { otherFunds } });
  assert.equal(invoice.truth.insuranceType === '自费', false, 'seed 59 draws an insured bill, whose split is printed');
  const claim = (await submit(merchant.id, invoice.image)).json();
  assert.equal(await waitForClaim(h.db.pool, claim.id, ['paid', 'rejected', 'in_review', 'photo_requested']), 'paid');
  const paid = (await h.app.inject({ method: 'GET', url: `/v1/claims/${claim.id}`, headers: asOps })).json();
  const patientPaidFen = invoice.truth.totalFen - invoice.truth.payment.poolingFundFen - 500;
  assert.ok(paid.coveredFen <= patientPaidFen, `covered ${paid.coveredFen} never above what the patient paid (${patientPaidFen})`);
  assert.equal(paid.paidFen, Math.min(1_200, paid.coveredFen));
});
