/**
 * A reviewer is bound by the rules an automatic decision follows (issue 20, finding 4): what the
 * machine could not read, the reviewer supplies, and the corrected claim passes the same eligibility,
 * benefit and uniqueness checks; invoices and photos are paid once, whoever approves.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { signInApi, TestClock } from '../auth/support.ts';
import { asReviewer } from '../support/app.ts';
import { createClaimsHarness, type ClaimsHarness } from '../support/claims.ts';
import { enrolment } from '../support/fixtures.ts';
import { assertLedgerInvariants } from '../support/ledger-invariants.ts';
import { daysAgo, merchantWithCredit, photoBytes, readInvoice, REGISTRY_GENERAL, storedClaim } from './stored-claims.ts';
import { ocr } from './support.ts';

let h: ClaimsHarness;
before(async () => {
  h = await createClaimsHarness({ workers: false });
});
after(async () => h.close());

/** Look-alike hashes far apart (32 bits and more), one per test, so that tests do not see each other's photos. */
const PHASH = ['0000000000000000', 'ffffffff00000000', '00000000ffffffff', 'ffffffffffffffff', '0f0f0f0f0f0f0f0f', 'f0f0f0f0f0f0f0f0'] as const;

function decide(claimId: string, payload: Record<string, unknown>) {
  return h.app.inject({ method: 'POST', url: `/v1/review/claims/${claimId}/decision`, headers: asReviewer, payload: { reasonCode: 'checked_by_hand', ...payload } });
}

async function statusOf(claimId: string): Promise<string> {
  return (await h.db.pool.query<{ status: string }>('SELECT status FROM claims WHERE claim_id = $1', [claimId])).rows[0]!.status;
}

test('a claim waiting for a new photo cannot be approved', async () => {
  const m = await merchantWithCredit(h.db.pool, 201);
  const claimId = await storedClaim(h.db.pool, m, { read: readInvoice(m), photo: photoBytes('201'), phash: PHASH[0], status: 'photo_requested' });
  const res = await decide(claimId, { action: 'approve' });
  assert.equal(res.statusCode, 409, res.body);
  assert.equal(res.json().error.code, 'claim_not_in_review');
  assert.equal(await statusOf(claimId), 'photo_requested');
  const rejected = await decide(claimId, { action: 'reject' });
  assert.equal(rejected.statusCode, 200, 'rejecting it stays possible');
});

test('without the invoice key, the visit day or the covered charges there is no approval; supplied, they are checked and held', async () => {
  const m = await merchantWithCredit(h.db.pool, 202);
  const unread = readInvoice(m, { invoiceCode: null, invoiceNumber: null, issueDate: null, payment: { poolingFundFen: null, personalAccountFen: null, personalCashFen: null } });
  const claimId = await storedClaim(h.db.pool, m, { read: unread, photo: photoBytes('202'), phash: PHASH[1] });
  const noKey = await decide(claimId, { action: 'approve', amountFen: 100 });
  assert.equal(noKey.statusCode, 422, noKey.body);
  assert.equal(noKey.json().error.code, 'invoice_key_required');
  const noDay = await decide(claimId, { action: 'approve', invoiceCode: '11010126', invoiceNumber: '0000202001' });
  assert.equal(noDay.json().error.code, 'visit_date_required', noDay.body);
  const noCovered = await decide(claimId, { action: 'approve', invoiceCode: '11010126', invoiceNumber: '0000202001', visitDate: daysAgo(5) });
  assert.equal(noCovered.json().error.code, 'covered_required', noCovered.body);
  // 6 payers: 1,400 fen of credit; the reviewer reads 5.00 CNY of covered charges, so 5.00 is the most
  const above = await decide(claimId, { action: 'approve', invoiceCode: '11010126', invoiceNumber: '0000202001', visitDate: daysAgo(5), coveredFen: 500, amountFen: 501 });
  assert.equal(above.statusCode, 422, above.body);
  assert.equal(above.json().error.code, 'amount_above_rules');
  const ok = await decide(claimId, { action: 'approve', invoiceCode: '11010126', invoiceNumber: '0000202001', visitDate: daysAgo(5), coveredFen: 500 });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(ok.json().status, 'approved');
  assert.equal(ok.json().benefitFen, 500);
  assert.deepEqual(ok.json().invoice, { code: '11010126', number: '0000202001', visitDate: daysAgo(5), hospitalId: REGISTRY_GENERAL.id, hospitalName: REGISTRY_GENERAL.name });
  const held = await h.db.pool.query('SELECT invoice_code, invoice_number FROM invoice_claims WHERE claim_id = $1', [claimId]);
  assert.deepEqual(held.rows, [{ invoice_code: '11010126', invoice_number: '0000202001' }]);
  // another merchant's claim for the key the reviewer supplied is refused by the same key
  const other = await merchantWithCredit(h.db.pool, 203);
  const second = await storedClaim(h.db.pool, other, { read: readInvoice(other, { invoiceCode: null, invoiceNumber: null }), photo: photoBytes('203'), phash: PHASH[2] });
  const twice = await decide(second, { action: 'approve', invoiceCode: '11010126', invoiceNumber: '0000202001' });
  assert.equal(twice.statusCode, 409, twice.body);
  assert.equal(twice.json().error.code, 'already_reimbursed');
  await assertLedgerInvariants(h.db.pool);
});

test('byte-identical photos are paid once, and so is a look-alike of an approved photo of the same visit', async () => {
  const a = await merchantWithCredit(h.db.pool, 204);
  const b = await merchantWithCredit(h.db.pool, 205);
  const c = await merchantWithCredit(h.db.pool, 206);
  const unreadKey = (m: typeof a) => readInvoice(m, { invoiceCode: null, invoiceNumber: null });
  const first = await storedClaim(h.db.pool, a, { read: unreadKey(a), photo: photoBytes('same paper'), phash: PHASH[3] });
  const copy = await storedClaim(h.db.pool, b, { read: unreadKey(b), photo: photoBytes('same paper'), phash: PHASH[3] });
  // other bytes (a re-photographed copy), the same look-alike hash but one bit, the same total read
  const rephotographed = await storedClaim(h.db.pool, c, { read: unreadKey(c), photo: photoBytes('same paper, again'), phash: 'fffffffffffffffe' });
  const ok = await decide(first, { action: 'approve', invoiceCode: '11010126', invoiceNumber: '0000204001' });
  assert.equal(ok.statusCode, 200, ok.body);
  const again = await decide(copy, { action: 'approve', invoiceCode: '11010126', invoiceNumber: '0000205001' });
  assert.equal(again.statusCode, 409, again.body);
  assert.equal(again.json().error.code, 'photo_already_reimbursed');
  const lookAlike = await decide(rephotographed, { action: 'approve', invoiceCode: '11010126', invoiceNumber: '0000206001' });
  assert.equal(lookAlike.statusCode, 409, lookAlike.body);
  assert.equal(lookAlike.json().error.code, 'photo_already_reimbursed');
  assert.deepEqual([await statusOf(copy), await statusOf(rephotographed)], ['in_review', 'in_review']);
  assert.equal((await h.db.pool.query('SELECT count(*)::int AS n FROM invoice_claims WHERE claim_id = ANY($1)', [[copy, rephotographed]])).rows[0].n, 0, 'a refused approval holds nothing');
});

test('a photo that is no image (JPEG magic, HTML inside) is not paid', async () => {
  const m = await merchantWithCredit(h.db.pool, 207);
  const html = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.from('<html><body>'.padEnd(253, 'x'))]);
  const claimId = await storedClaim(h.db.pool, m, { read: readInvoice(m), photo: html, phash: null });
  const res = await decide(claimId, { action: 'approve' });
  assert.equal(res.statusCode, 422, res.body);
  assert.equal(res.json().error.code, 'photo_unreadable');
});

test("the reviewer's hospital and visit day pass the same eligibility checks", async () => {
  const m = await merchantWithCredit(h.db.pool, 208);
  const unmatched = readInvoice(m, { hospital: { printedName: '某某医院', hospitalId: null, registryName: null, similarity: 0.4, confidence: 0.6 } });
  const claimId = await storedClaim(h.db.pool, m, { read: unmatched, photo: photoBytes('208'), phash: PHASH[4] });
  const noHospital = await decide(claimId, { action: 'approve' });
  assert.equal(noHospital.json().error.code, 'hospital_required', noHospital.body);
  const unknown = await decide(claimId, { action: 'approve', hospitalId: 'H999999' });
  assert.equal(unknown.json().error.code, 'hospital_not_in_registry', unknown.body);
  for (const [hospitalId, ground] of [['H110009', 'excluded_care'], ['H110018', 'hospital_grade_too_low'], ['H110010', 'excluded_care']] as const) {
    const res = await decide(claimId, { action: 'approve', hospitalId });
    assert.equal(res.statusCode, 422, res.body);
    assert.equal(res.json().error.code, 'claim_not_eligible');
    assert.match(res.json().error.message, new RegExp(`^${ground}`), `${hospitalId}: ${res.body}`);
  }
  const tooOld = await decide(claimId, { action: 'approve', hospitalId: REGISTRY_GENERAL.id, visitDate: daysAgo(31) });
  assert.match(tooOld.json().error.message, /^visit_too_old/, tooOld.body);
  const beforeCredit = await decide(claimId, { action: 'approve', hospitalId: REGISTRY_GENERAL.id, visitDate: daysAgo(41), coveredFen: 100 });
  assert.equal(beforeCredit.json().error.code, 'claim_not_eligible', beforeCredit.body);
  const ok = await decide(claimId, { action: 'approve', hospitalId: REGISTRY_GENERAL.id });
  assert.equal(ok.statusCode, 200, ok.body);
  // 5 payers + welcome = 1,200 fen of credit, less than the 73.45 CNY the patient paid
  assert.equal(ok.json().benefitFen, 1_200);
});

test('an invoice whose total was read unsurely still caps at what the patient paid by that reading', async () => {
  const m = await merchantWithCredit(h.db.pool, 209, 10);
  const split = { poolingFundFen: ocr(11_000), personalAccountFen: ocr(345), personalCashFen: ocr(1_000) };
  const claimId = await storedClaim(h.db.pool, m, { read: readInvoice(m, { totalFen: ocr(12_345, 0.5), payment: split }), photo: photoBytes('209'), phash: PHASH[5] });
  // 10 payers + welcome = 2,200 fen of credit; the patient paid 123.45 - 110.00 = 13.45 CNY, the most there is
  const above = await decide(claimId, { action: 'approve', amountFen: 1_346 });
  assert.equal(above.json().error.code, 'amount_above_rules', above.body);
  const ok = await decide(claimId, { action: 'approve' });
  assert.equal(ok.json().benefitFen, 1_345, ok.body);
});

test("the merchant sees the benefit's arithmetic and the reviewer's message, never the internal note or who decided; a refused claim shows no amount", async () => {
  const m = await merchantWithCredit(h.db.pool, 210);
  const paidClaim = await storedClaim(h.db.pool, m, { read: readInvoice(m), photo: photoBytes('210 a'), phash: 'aaaaaaaaaaaaaaaa' });
  const approved = await decide(paidClaim, { action: 'approve', amountFen: 1_000, note: 'internal: checked the seal by hand', messageToMerchant: '已核实，按规则报销。' });
  assert.equal(approved.statusCode, 200, approved.body);
  const refusedClaim = await storedClaim(h.db.pool, m, { read: readInvoice(m, { invoiceNumber: ocr('0000210002') }), photo: photoBytes('210 b'), phash: '5555555555555555' });
  const rejected = await decide(refusedClaim, { action: 'reject', reasonCode: 'not_covered', note: 'internal: looks like a dental bill' });
  assert.equal(rejected.statusCode, 200, rejected.body);

  const session = await signInApi(h, new TestClock(Date.now()), enrolment(210).phone);
  const asMerchant = { authorization: `Bearer ${session.token}` };
  const seen = (await h.app.inject({ method: 'GET', url: `/v1/claims/${paidClaim}`, headers: asMerchant })).json();
  // 123.45 on the bill; the pooling fund paid 50.00, the patient 73.45, all of it covered; 12.00 of credit
  // on the visit day and now; the reviewer approved 10.00, less than the rules' 12.00
  assert.deepEqual(seen.arithmetic, {
    totalFen: 12_345,
    fundsPaidFen: 5_000,
    patientPaidFen: 7_345,
    coveredFen: 7_345,
    capFen: 20_000,
    creditAtVisitFen: 1_200,
    creditNowFen: 1_200,
    amountFen: 1_000,
    decidingLimit: 'reviewer',
  });
  assert.equal(seen.decidedBy, 'reviewer');
  const approval = seen.timeline.at(-1);
  assert.equal(approval.details.messageToMerchant, '已核实，按规则报销。');
  assert.doesNotMatch(JSON.stringify(seen.timeline), /internal:|reviewer:/, 'no note, no staff identity');
  const refused = (await h.app.inject({ method: 'GET', url: `/v1/claims/${refusedClaim}`, headers: asMerchant })).json();
  assert.equal(refused.benefitFen, null);
  assert.equal(refused.arithmetic?.amountFen ?? null, null);
  assert.doesNotMatch(JSON.stringify(refused.timeline), /internal:|reviewer:/);
  for (const e of refused.timeline) assert.doesNotMatch(e.zh, /[A-Za-z]{3,}/, `one language per string: ${e.zh}`);
  // staff still read the whole
  const audit = await h.db.pool.query("SELECT details->>'note' AS note FROM audit_log WHERE subject_id = $1", [refusedClaim]);
  assert.deepEqual(audit.rows, [{ note: 'internal: looks like a dental bill' }]);
});
