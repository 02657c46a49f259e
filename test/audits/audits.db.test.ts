/**
 * Paid claims audited by sample, on the real pipeline's pay step and the real API: which claims are
 * drawn when their payout settles, the reviewers' queue page by page, and the decisions. An
 * overpayment is recovered from the merchant's credit (available first, the rest as debt) with the
 * books whole and the lots equal to the ledger, and the merchant is told why in both languages.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AuditSampling } from '../../src/config/config.ts';
import { merchantBalance } from '../../src/ledger/index.ts';
import { asReviewer } from '../support/app.ts';
import { merchantWithCredit, paidClaim as paidClaimOf, type AuditedMerchant } from '../support/audits.ts';
import { createClaimsHarness, type ClaimsHarness } from '../support/claims.ts';
import { earnAndCollect } from '../support/credit.ts';
import { assertLotsMatchLedger } from '../support/credit-invariants.ts';
import { assertLedgerInvariants } from '../support/ledger-invariants.ts';

let h: ClaimsHarness;
before(async () => {
  h = await createClaimsHarness({ workers: false });
});
after(async () => h.close());

const DAY_MS = 86_400_000;
/** Nothing at random: every claim from 400 fen is audited (the census), none below. */
const CENSUS_ONLY: AuditSampling = { share: 0, alwaysFromFen: 400, key: 'a-test-key-of-sixteen' };
const merchant = (n: number) => merchantWithCredit(h, n);
const paidClaim = (m: AuditedMerchant, amountFen: number, decidedBy: string, sampling: AuditSampling) => paidClaimOf(h, m, amountFen, decidedBy, sampling);

async function auditsOf(merchantId: number) {
  const { rows } = await h.db.pool.query<{ claim_id: string; drawn_because: string; status: string }>('SELECT claim_id::text, drawn_because, status FROM claim_audits WHERE merchant_id = $1 ORDER BY drawn_at, claim_id', [merchantId]);
  return rows;
}

const decide = (claimId: string, body: Record<string, unknown>) => h.app.inject({ method: 'POST', url: `/v1/audits/${claimId}/decision`, headers: asReviewer, payload: body });

test("a machine-approved claim is drawn when it is paid; a reviewer's approval and a small claim outside the sample are not; a replay draws nothing new", async () => {
  const m = await merchant(8_001);
  const big = await paidClaim(m, 500, 'machine', CENSUS_ONLY);
  const small = await paidClaim(m, 100, 'machine', CENSUS_ONLY);
  const reviewed = await paidClaim(m, 100, 'staff:reviewer:1', { ...CENSUS_ONLY, share: 1 });
  assert.deepEqual(await auditsOf(m.merchantId), [{ claim_id: big.claimId, drawn_because: 'amount', status: 'pending' }]);
  await big.pay();
  assert.equal((await auditsOf(m.merchantId)).length, 1, 'a replayed settlement finds the claim paid and draws nothing again');
  const sampled = await paidClaim(m, 50, 'machine', { ...CENSUS_ONLY, share: 1 });
  assert.deepEqual((await auditsOf(m.merchantId)).map((a) => [a.claim_id, a.drawn_because]), [[big.claimId, 'amount'], [sampled.claimId, 'sample']]);
  for (const id of [small.claimId, reviewed.claimId]) assert.ok(!(await auditsOf(m.merchantId)).some((a) => a.claim_id === id));
});

test('the queue pages oldest drawn first with a cursor; a bad cursor is refused with its code', async () => {
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const res: { statusCode: number; body: string; json: () => unknown } = await h.app.inject({ method: 'GET', url: `/v1/audits?limit=1${cursor ? `&cursor=${cursor}` : ''}`, headers: asReviewer });
    assert.equal(res.statusCode, 200, res.body);
    const page = res.json() as { data: { audit: { claimId: string; status: string; drawnAt: string } }[]; nextCursor: string | null; hasMore: boolean };
    assert.ok(page.data.length <= 1);
    for (const item of page.data) seen.push(item.audit.claimId);
    cursor = page.nextCursor;
  } while (cursor);
  const { rows } = await h.db.pool.query<{ claim_id: string }>("SELECT claim_id::text FROM claim_audits WHERE status = 'pending' ORDER BY drawn_at, claim_id");
  assert.deepEqual(seen, rows.map((r) => r.claim_id));
  assert.ok(seen.length >= 2, 'more than one page was walked');
  const bad = await h.app.inject({ method: 'GET', url: '/v1/audits?cursor=bm90LWEtY3Vyc29y', headers: asReviewer });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().error.code, 'invalid_cursor');
  assert.equal((await h.app.inject({ method: 'GET', url: '/v1/audits' })).statusCode, 401);
});

test('an overpayment is taken from available credit first, the rest as debt; the books stay whole, the lots equal the ledger, and the merchant is told why', async () => {
  const m = await merchant(8_002);
  const c = await paidClaim(m, 500, 'machine', CENSUS_ONLY);
  assert.deepEqual(await merchantBalance(h.db.pool, m.merchantId), { merchantId: m.merchantId, availableFen: 300, reservedFen: 0, pendingFen: 0, debtFen: 0 });

  const above = await decide(c.claimId, { outcome: 'overpaid', dueFen: 500, reasonCode: 'amount_misread' });
  assert.equal(above.statusCode, 422);
  assert.equal(above.json().error.code, 'audit_due_not_below_paid');
  const noNote = await decide(c.claimId, { outcome: 'overpaid', dueFen: 100, reasonCode: 'other' });
  assert.equal(noNote.json().error.code, 'audit_note_required');
  const noAmount = await decide(c.claimId, { outcome: 'overpaid', reasonCode: 'not_covered' });
  assert.deepEqual([noAmount.statusCode, noAmount.json().error.code], [400, 'missing_field']);

  // 400 fen overpaid: the 300 fen available, the other 100 as debt
  const res = await decide(c.claimId, { outcome: 'overpaid', dueFen: 100, reasonCode: 'excluded_items', note: '含美容项目' });
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(
    (({ status, dueFen, recoveredFromCreditFen, recoveredAsDebtFen }) => ({ status, dueFen, recoveredFromCreditFen, recoveredAsDebtFen }))(res.json()),
    { status: 'overpaid', dueFen: 100, recoveredFromCreditFen: 300, recoveredAsDebtFen: 100 },
  );
  assert.deepEqual(await merchantBalance(h.db.pool, m.merchantId), { merchantId: m.merchantId, availableFen: 0, reservedFen: 0, pendingFen: 0, debtFen: 100 });
  await assertLedgerInvariants(h.db.pool);
  await assertLotsMatchLedger(h.db.pool);
  const { rows: lots } = await h.db.pool.query<{ state: string; n: number }>("SELECT state, count(*)::int AS n FROM credit_lots WHERE merchant_id = $1 AND state IN ('available', 'clawed_back') GROUP BY state", [m.merchantId]);
  assert.deepEqual(lots.map((l) => l.state), ['clawed_back'], 'every available lot was drawn down to nothing');

  const { rows: told } = await h.db.pool.query<{ kind: string; zh: string; en: string; amount_fen: string }>('SELECT kind, zh, en, amount_fen::text FROM merchant_notifications WHERE merchant_id = $1 AND claim_id = $2 AND kind = $3', [m.merchantId, c.claimId, 'claim_audit_overpaid']);
  assert.equal(told.length, 1);
  assert.match(told[0]!.zh, /已付 ¥5\.00，应付 ¥1\.00，多付 ¥4\.00。原因：票据含有不予报销的项目。从您的可用额度扣回 ¥3\.00，¥1\.00 记为欠款.*审核说明：含美容项目/);
  assert.match(told[0]!.en, /¥5\.00 was paid where ¥1\.00 was due, ¥4\.00 too much, because the invoice includes items the programme does not cover\. ¥3\.00 is taken from your available credit; ¥1\.00 is recorded as debt/);
  const { rows: logged } = await h.db.pool.query('SELECT action FROM audit_log WHERE subject_id = $1', [c.claimId]);
  assert.deepEqual(logged, [{ action: 'claim_audit.overpaid' }]);

  const again = await decide(c.claimId, { outcome: 'confirmed' });
  assert.deepEqual([again.statusCode, again.json().error.code], [409, 'audit_already_decided']);

  // the debt is repaid from the next credit collected, before anything becomes available
  await earnAndCollect(h.db.pool, { id: m.merchantId, walletUserId: m.walletUserId }, 1, new Date(Date.now() - DAY_MS));
  const after = (await merchantBalance(h.db.pool, m.merchantId))!;
  assert.deepEqual([after.debtFen, after.availableFen], [0, 100], '200 fen collected: 100 repays the debt');
  await assertLedgerInvariants(h.db.pool);
  await assertLotsMatchLedger(h.db.pool);
});

test('confirming takes nothing; the statistics count both strata and scale the sample', async () => {
  const m = await merchant(8_003);
  const c = await paidClaim(m, 200, 'machine', { ...CENSUS_ONLY, share: 1 });
  const before = await merchantBalance(h.db.pool, m.merchantId);
  const res = await decide(c.claimId, { outcome: 'confirmed' });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.json().status, 'confirmed');
  assert.deepEqual(await merchantBalance(h.db.pool, m.merchantId), before);
  assert.equal((await decide('00000000-0000-4000-8000-000000000000', { outcome: 'confirmed' })).json().error.code, 'audit_not_found');

  const stats = (await h.app.inject({ method: 'GET', url: '/v1/audits/statistics', headers: asReviewer })).json();
  const { rows } = await h.db.pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM claims c WHERE status = 'paid' AND decided_by = 'machine' AND NOT EXISTS (SELECT 1 FROM claim_audits a WHERE a.merchant_id = c.merchant_id AND a.claim_id = c.claim_id AND a.drawn_because = 'amount')",
  );
  // the sample decided: this claim, confirmed (0 of 1); the census: the overpayment of 400 fen
  assert.equal(stats.decidedSample, 1);
  assert.equal(stats.decidedCensus, 1);
  assert.equal(stats.errorRate, 0);
  assert.equal(stats.overpaidFoundFen, 400);
  assert.equal(stats.samplePopulation, rows[0]!.n);
  assert.equal(stats.extrapolatedOverpaidFen, 400, 'no error in the sample: the census alone');
  assert.ok(stats.errorRateInterval.high > 0.7, 'one audit says little: Wilson 0/1 reaches 0.79');
});
