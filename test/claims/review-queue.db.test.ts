/** The review queue as a reviewer works it: oldest first, decisions apart from photos awaited, each claim named and explained. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { insertClaim, transitionClaim } from '../../src/claims/store.ts';
import { seedIfEmpty } from '../../src/hospitals/store.ts';
import { inLedgerTransaction } from '../../src/ledger/index.ts';
import { importEnrolments } from '../../src/merchants/store.ts';
import { asReviewer } from '../support/app.ts';
import { createClaimsHarness, type ClaimsHarness } from '../support/claims.ts';
import { enrolment, TEST_ID_HASH_KEY } from '../support/fixtures.ts';

let t: ClaimsHarness;
before(async () => {
  t = await createClaimsHarness({ workers: false });
  await seedIfEmpty(t.db.pool); // the registry the workers would load on first use
});
after(async () => t.close());

const HOUR_MS = 3_600_000;

/** A claim submitted `hoursAgo`, moved to `status` with the words that put it there. */
async function queued(n: number, name: string, hoursAgo: number, status: 'in_review' | 'photo_requested', why: string): Promise<string> {
  const input = enrolment(n, { legalName: name });
  await importEnrolments(t.db.pool, [{ line: 2, input }], TEST_ID_HASH_KEY, { skipDuplicates: false });
  const merchantId = (await t.db.pool.query<{ merchant_id: number }>('SELECT merchant_id FROM merchant_wallets WHERE wallet_user_id = $1', [input.walletUserId])).rows[0]!.merchant_id;
  const claimId = crypto.randomUUID();
  await inLedgerTransaction(t.db.pool, async ({ client }) => {
    await insertClaim(client, { merchantId, claimId, files: [], submittedAt: new Date(Date.now() - hoursAgo * HOUR_MS) });
    // read, as recognition leaves a claim before a decision sends it to review
    if (status === 'in_review') await client.query("UPDATE claims SET status = 'recognized' WHERE merchant_id = $1 AND claim_id = $2", [merchantId, claimId]);
    await transitionClaim(client, { merchantId, claimId }, status, { code: 'test', zh: why, en: `en:${why}` }, { hospitalId: 'H110002' });
  });
  return claimId;
}

test('the queue lists the longest waiting first, keeps photos awaited apart, and names the merchant, the hospital and the reason', async () => {
  const middle = await queued(801, '王芳', 5, 'in_review', '患者姓名需要核对');
  const oldest = await queued(802, '李娜', 30, 'in_review', '票据金额不一致');
  const newest = await queued(803, '刘洋', 1, 'in_review', '药店收据需要人工审核');
  const awaited = await queued(804, '陈静', 2, 'photo_requested', '照片太暗');

  const answer = await t.app.inject({ url: '/v1/review/claims?status=in_review', headers: asReviewer });
  assert.equal(answer.statusCode, 200, answer.body);
  const decisions = answer.json();
  assert.deepEqual(decisions.data.map((i: { claim: { id: string } }) => i.claim.id), [oldest, middle, newest], 'oldest first');
  const first = decisions.data[0];
  assert.equal(first.merchantName, '李娜');
  assert.equal(first.hospitalName, '北京大学第一医院');
  assert.equal(first.claim.invoice.hospitalName, '北京大学第一医院', 'the claim itself names its hospital too');
  assert.deepEqual(first.why, { zh: '票据金额不一致', en: 'en:票据金额不一致' });
  assert.equal(first.overdue, true, `30 hours is past the ${decisions.slaHours} hour limit`);
  assert.equal(decisions.data[2].overdue, false);

  const photos = (await t.app.inject({ url: '/v1/review/claims?status=photo_requested', headers: asReviewer })).json();
  assert.deepEqual(photos.data.map((i: { claim: { id: string } }) => i.claim.id), [awaited]);

  // pages walk the same order, one claim at a time, without gaps or repeats
  const walked: string[] = [];
  let cursor: string | null = null;
  do {
    const page: { data: { claim: { id: string } }[]; hasMore: boolean; nextCursor: string | null } = (await t.app.inject({ url: `/v1/review/claims?status=in_review&limit=1${cursor ? `&cursor=${cursor}` : ''}`, headers: asReviewer })).json();
    walked.push(...page.data.map((i: { claim: { id: string } }) => i.claim.id));
    cursor = page.hasMore ? page.nextCursor : null;
  } while (cursor);
  assert.deepEqual(walked, [oldest, middle, newest]);
});

test('a claim names its hospital from the registry, to the reviewer and to its merchant: H110002 reads 北京大学第一医院', async () => {
  const claimId = await queued(805, '赵磊', 3, 'in_review', '需要核对');
  const asStaff = (await t.app.inject({ url: `/v1/claims/${claimId}`, headers: asReviewer })).json();
  assert.deepEqual(asStaff.invoice, { code: null, number: null, visitDate: null, hospitalId: 'H110002', hospitalName: '北京大学第一医院' });
  const listed = (await t.app.inject({ url: '/v1/claims?limit=100', headers: asReviewer })).json();
  assert.equal(listed.data.find((c: { id: string }) => c.id === claimId).invoice.hospitalName, '北京大学第一医院');
});
