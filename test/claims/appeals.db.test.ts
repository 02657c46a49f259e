/**
 * Appeals (issue 27, part 3) against the real pipeline: a refused claim is appealed once with a
 * message and new photos, the photos are read, a reviewer other than the one who refused decides,
 * the merchant is told the decision and its reason, and an upheld appeal pays as a review approval
 * does (the ledger's invariants and lots = balances after it).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { merchantBalance } from '../../src/ledger/index.ts';
import { signInApi, TestClock } from '../auth/support.ts';
import { asOps, asReviewer } from '../support/app.ts';
import { coveredByTheRules, createClaimsHarness, invoicePhoto, multipart, waitForClaim, type ClaimsHarness } from '../support/claims.ts';
import { assertLotsMatchLedger } from '../support/credit-invariants.ts';
import { assertLedgerInvariants } from '../support/ledger-invariants.ts';
import { namedMerchantWithCredit, photoBytes, readInvoice, storedClaim } from './stored-claims.ts';

let h: ClaimsHarness;
before(async () => {
  h = await createClaimsHarness();
});
after(async () => h.close());

/** Merchant n under a real name (the appeal's photo is of the merchant's own bill), with 5 payers' credit + the welcome credit, signed in. */
async function merchant(n: number, legalName: string) {
  const m = await namedMerchantWithCredit(h.db.pool, n, legalName);
  const session = await signInApi(h, new TestClock(Date.now()), m.phone);
  return { ...m, headers: { authorization: `Bearer ${session.token}` } };
}

/** A claim of `m` in review, refused by `refuser` (or left in review when `refuser` is null). */
async function refusedClaim(m: Awaited<ReturnType<typeof merchant>>, seed: string, refuser: Record<string, string> | null): Promise<string> {
  const claimId = await storedClaim(h.db.pool, m, { read: readInvoice(m), photo: photoBytes(seed), phash: null });
  if (refuser) {
    const refused = await decide(claimId, refuser, { action: 'reject', reasonCode: 'photo_unreadable' });
    assert.equal(refused.statusCode, 200, refused.body);
  }
  return claimId;
}

function decide(claimId: string, who: Record<string, string>, payload: Record<string, unknown>) {
  return h.app.inject({ method: 'POST', url: `/v1/review/claims/${claimId}/decision`, headers: who, payload: { reasonCode: 'appeal_checked', ...payload } });
}

function appeal(claimId: string, who: Record<string, string>, photo: Buffer, options: { message?: string; key?: string } = {}) {
  const body = multipart([
    ...(options.message === undefined ? [] : [{ field: 'message', value: options.message }]),
    { field: 'invoice', filename: 'invoice.jpg', type: 'image/jpeg', bytes: photo },
  ]);
  return h.app.inject({ method: 'POST', url: `/v1/claims/${claimId}/appeal`, headers: { ...who, ...body.headers, ...(options.key ? { 'idempotency-key': options.key } : {}) }, payload: body.payload });
}

test('an appeal upheld by another reviewer pays as a review approval does; the merchant is told why; the dashboard counts it', async () => {
  const m = await merchant(401, '王芳');
  const claimId = await refusedClaim(m, 'blurred 401', asReviewer);
  const invoice = await invoicePhoto(7, m.legalName);

  const first = await appeal(claimId, m.headers, invoice.image, { message: '第一次照片模糊，这是清晰的新照片。', key: 'appeal-401' });
  assert.equal(first.statusCode, 201, first.body);
  const appealed = first.json();
  assert.equal(appealed.status, 'appealed');
  assert.equal(appealed.appeal.message, '第一次照片模糊，这是清晰的新照片。');
  assert.equal(appealed.appeal.outcome, null);
  assert.equal(appealed.appeal.refusedBy, undefined, 'a merchant is not told who refused');
  assert.equal(appealed.appealUntil, null, 'appealed once: no second appeal');
  assert.equal(appealed.files[0].sizeBytes, invoice.image.length, "the appeal's photo is the claim's file now");
  assert.equal(appealed.appeal.previousFiles.length, 1, 'the refused photo is kept with the appeal');
  const replay = await appeal(claimId, m.headers, invoice.image, { message: '第一次照片模糊，这是清晰的新照片。', key: 'appeal-401' });
  assert.equal(replay.statusCode, 201, replay.body);
  assert.equal(replay.headers['idempotent-replayed'], 'true');
  const again = await appeal(claimId, m.headers, invoice.image, { message: '再申诉一次', key: 'appeal-401-b' });
  assert.equal(again.statusCode, 409, again.body);
  assert.equal(again.json().error.code, 'already_appealed');

  assert.equal(await waitForClaim(h.db.pool, claimId, ['appeal_review', 'approved', 'rejected', 'in_review']), 'appeal_review');
  const queue = (await h.app.inject({ method: 'GET', url: '/v1/review/claims?status=appeal_review', headers: asOps })).json();
  assert.deepEqual(queue.data.map((q: { claim: { id: string } }) => q.claim.id), [claimId], 'in the queue, marked as an appeal');
  // the reviewer sees what the rules make of the new photo: its invoice, its findings, the amount they allow
  const judged = (await h.app.inject({ method: 'GET', url: `/v1/claims/${claimId}`, headers: asOps })).json();
  assert.equal(judged.invoice.number, invoice.truth.invoiceNumber);
  assert.ok(judged.findings.length > 0, 'the appeal was checked by the rules');
  assert.equal(judged.decision, 'review', 'and not decided by them');
  assert.equal(judged.benefitFen, Math.min(1_200, coveredByTheRules(invoice.truth)), 'the reviewer sees the amount the rules allow');
  const merchantView = (await h.app.inject({ method: 'GET', url: `/v1/claims/${claimId}`, headers: m.headers })).json();
  assert.equal(merchantView.benefitFen, null, 'the merchant is shown no amount before the decision');

  const sameReviewer = await decide(claimId, asReviewer, { action: 'approve', messageToMerchant: '已核实' });
  assert.equal(sameReviewer.statusCode, 403, sameReviewer.body);
  assert.equal(sameReviewer.json().error.code, 'appeal_same_reviewer');
  const photoAsked = await decide(claimId, asOps, { action: 'request_photo', messageToMerchant: '请重拍' });
  assert.equal(photoAsked.json().error.code, 'appeal_no_photo_request', photoAsked.body);
  const noReason = await decide(claimId, asOps, { action: 'approve' });
  assert.equal(noReason.json().error.code, 'appeal_reason_required', noReason.body);
  assert.equal((await merchantBalance(h.db.pool, m.id))!.reservedFen, 0, 'a refused decision reserved nothing');

  const upheld = await decide(claimId, asOps, { action: 'approve', messageToMerchant: '新照片清晰，票据真实有效。' });
  assert.equal(upheld.statusCode, 200, upheld.body);
  assert.equal(upheld.json().appeal.outcome, 'approved');
  assert.match(upheld.json().appeal.refusedBy, /^reviewer:/, 'staff see who refused');
  assert.match(upheld.json().appeal.decidedBy, /^ops:/);
  assert.equal(await waitForClaim(h.db.pool, claimId, ['paid', 'in_review']), 'paid');

  const expected = Math.min(1_200, coveredByTheRules(invoice.truth));
  assert.equal(h.sandbox.wallet(m.walletUserId), expected, 'the wallet received the benefit, once');
  const after = (await merchantBalance(h.db.pool, m.id))!;
  assert.deepEqual([after.availableFen, after.reservedFen], [1_200 - expected, 0]);
  const seen = (await h.app.inject({ method: 'GET', url: `/v1/claims/${claimId}`, headers: m.headers })).json();
  assert.deepEqual(
    seen.timeline.map((e: { status: string }) => e.status),
    ['in_review', 'rejected', 'appealed', 'appeal_review', 'approved', 'paid'],
    'the whole history, the refusal and the appeal in it',
  );
  const told = await h.db.pool.query<{ kind: string; zh: string; en: string }>("SELECT kind, zh, en FROM merchant_notifications WHERE claim_id = $1 AND kind = 'claim_approved'", [claimId]);
  assert.match(told.rows[0]!.zh, /^申诉通过.*新照片清晰，票据真实有效。$/);
  assert.match(told.rows[0]!.en, /^Appeal upheld.*Reason: 新照片清晰/);
  const dashboard = (await h.app.inject({ method: 'GET', url: '/v1/reports/dashboard?days=7', headers: asOps })).json();
  const sum = (key: string) => dashboard.days.reduce((s: number, d: Record<string, number>) => s + d[key]!, 0);
  assert.deepEqual([sum('appeals'), sum('appealsApproved'), sum('appealsRejected')], [1, 1, 0]);
  await assertLedgerInvariants(h.db.pool);
  await assertLotsMatchLedger(h.db.pool);
});

test('only a refused claim is appealed, within 30 days, with a message; a refusal that stands is told with its reason and is final', async () => {
  const m = await merchant(402, '李娜');
  const inReview = await refusedClaim(m, 'in review 402', null);
  const notRefused = await appeal(inReview, m.headers, photoBytes('new 402 a'), { message: '请复核' });
  assert.equal(notRefused.statusCode, 409, notRefused.body);
  assert.equal(notRefused.json().error.code, 'claim_not_rejected');

  const old = await refusedClaim(m, 'old 402', asReviewer);
  await h.db.pool.query("UPDATE claims SET updated_at = now() - interval '31 days' WHERE claim_id = $1", [old]);
  const late = await appeal(old, m.headers, photoBytes('new 402 b'), { message: '请复核' });
  assert.equal(late.statusCode, 422, late.body);
  assert.equal(late.json().error.code, 'appeal_too_late');

  const claimId = await refusedClaim(m, 'refused 402', asOps);
  assert.ok(Date.parse((await h.app.inject({ method: 'GET', url: `/v1/claims/${claimId}`, headers: m.headers })).json().appealUntil) > Date.now());
  const silent = await appeal(claimId, m.headers, photoBytes('new 402 c'));
  assert.equal(silent.json().error.code, 'appeal_message_required', silent.body);
  assert.equal((await appeal(claimId, m.headers, photoBytes('new 402 c'), { message: '这是门诊发票原件' })).statusCode, 201);
  assert.equal(await waitForClaim(h.db.pool, claimId, ['appeal_review']), 'appeal_review');
  // refused by the ops key: the reviewer key decides, and the refusal stands
  const stands = await decide(claimId, asReviewer, { action: 'reject', reasonCode: 'not_an_invoice', messageToMerchant: '照片不是医院发票。' });
  assert.equal(stands.statusCode, 200, stands.body);
  assert.equal(stands.json().status, 'rejected');
  assert.equal(stands.json().appealUntil, null);
  const told = await h.db.pool.query<{ zh: string; en: string }>("SELECT zh, en FROM merchant_notifications WHERE claim_id = $1 ORDER BY notification_id DESC LIMIT 1", [claimId]);
  assert.deepEqual(told.rows[0], { zh: '申诉未通过，维持原审核结果。理由：照片不是医院发票。', en: 'Appeal refused; the refusal stands. Reason: 照片不是医院发票。' });
  const twice = await appeal(claimId, m.headers, photoBytes('new 402 d'), { message: '再试一次' });
  assert.equal(twice.json().error.code, 'already_appealed', twice.body);
  // the database holds the rule too: the one who refused is never recorded as the appeal's decider
  await assert.rejects(h.db.pool.query('UPDATE claim_appeals SET decided_by = refused_by WHERE claim_id = $1', [claimId]), /claim_appeals_other_reviewer/);
  const audit = await h.db.pool.query("SELECT action FROM audit_log WHERE subject_id = $1 ORDER BY audit_id", [claimId]);
  assert.deepEqual(audit.rows.map((r) => r.action), ['claim.reject', 'claim.appeal_reject']);
  await assertLedgerInvariants(h.db.pool);
  await assertLotsMatchLedger(h.db.pool);
});
