/**
 * Floods and bombs against the claim pipeline (issue 21, High 1–3, Medium 4): the recognition queue
 * is bounded per merchant (429) and overall (503), both with Retry-After; one merchant's waiting
 * claims never hold another's back; a PDF bomb ends as a retake naming why; photos a claim did not
 * ask for are refused before anything is stored.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { CLAIM_TASKS } from '../../src/claims/index.ts';
import { enqueueRecognition } from '../../src/claims/pipeline.ts';
import { MAX_WAITING_CLAIMS, MAX_WAITING_CLAIMS_PER_MERCHANT } from '../../src/claims/routes.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import { liveJobsOf, withdraw } from '../../src/jobs/index.ts';
import { asOps } from '../support/app.ts';
import { createClaimsHarness, invoicePhoto, multipart, waitForClaim, type ClaimsHarness } from '../support/claims.ts';
import { earnAndCollect } from '../support/credit.ts';
import { enrolMerchants } from '../support/fixtures.ts';
import { imageBomb } from '../recognition/malicious-pdf.ts';

const LEFT_SUBMITTED = ['recognized', 'approved', 'paid', 'rejected', 'in_review', 'photo_requested'] as const;

/** Without workers: claims stay waiting, so the bounds are met exactly. */
let idle: ClaimsHarness;
/** With the pipeline's workers running. */
let live: ClaimsHarness;
before(async () => {
  idle = await createClaimsHarness({ workers: false });
  live = await createClaimsHarness();
});
after(async () => {
  await idle.close();
  await live.close();
});

/** Merchants from `from` on, each with credit collected 40 days ago (before any generated visit). */
async function merchantsWithCredit(h: ClaimsHarness, count: number, from: number) {
  const merchants = await enrolMerchants(h.db.pool, count, from);
  for (const m of merchants) await earnAndCollect(h.db.pool, m, 3, new Date(Date.now() - 40 * 86_400_000));
  return merchants;
}

async function accepted(answer: Awaited<ReturnType<typeof submit>>): Promise<string> {
  assert.equal(answer.statusCode, 201, answer.body);
  return answer.json().id as string;
}

function submit(h: ClaimsHarness, merchantId: number, bytes: Buffer, type = 'image/jpeg') {
  const body = multipart([
    { field: 'merchantId', value: String(merchantId) },
    { field: 'invoice', filename: type === 'application/pdf' ? 'bill.pdf' : 'invoice.jpg', type, bytes },
  ]);
  return h.app.inject({ method: 'POST', url: '/v1/claims', headers: { ...asOps, ...body.headers }, payload: body.payload });
}

test(`${MAX_WAITING_CLAIMS_PER_MERCHANT + 6} parallel claims from one merchant: ${MAX_WAITING_CLAIMS_PER_MERCHANT} are queued, the rest answer 429 with Retry-After`, async () => {
  const [merchant] = await merchantsWithCredit(idle, 1, 2101);
  const { image } = await invoicePhoto(2101, '张伟');
  const answers = await Promise.all(Array.from({ length: MAX_WAITING_CLAIMS_PER_MERCHANT + 6 }, () => submit(idle, merchant!.id, image)));
  assert.equal(answers.filter((a) => a.statusCode === 201).length, MAX_WAITING_CLAIMS_PER_MERCHANT, answers.map((a) => a.statusCode).join());
  const refused = answers.filter((a) => a.statusCode !== 201);
  assert.equal(refused.length, 6);
  for (const r of refused) {
    assert.equal(r.statusCode, 429, r.body);
    assert.equal(r.json().error.code, 'too_many_claims_waiting');
    assert.ok(Number(r.headers['retry-after']) > 0);
  }
});

test(`with ${MAX_WAITING_CLAIMS} claims waiting overall, the next merchant's claim answers 503 recognition_busy with Retry-After`, async () => {
  const merchants = await merchantsWithCredit(idle, 2, 2201);
  // the queue filled as submissions fill it: claims recorded, each with its recognition queued (no worker runs here)
  const waiting = await liveJobsOf(idle.db.pool, CLAIM_TASKS.recognize);
  const filler: string[] = [];
  await inTransaction(idle.db.pool, async (client) => {
    const { rows } = await client.query<{ claim_id: string }>(
      `INSERT INTO claims (merchant_id, claim_id, status, submitted_at, updated_at, files)
       SELECT $1, gen_random_uuid(), 'submitted', now(), now(), '[]' FROM generate_series(1, $2) RETURNING claim_id`,
      [merchants[0]!.id, MAX_WAITING_CLAIMS - waiting],
    );
    for (const { claim_id } of rows) {
      await enqueueRecognition(client, { merchantId: merchants[0]!.id, claimId: claim_id });
      filler.push(`claim:${claim_id}:recognize`);
    }
  });
  const { image } = await invoicePhoto(2202, '王芳');
  try {
    const answer = await submit(idle, merchants[1]!.id, image);
    assert.equal(answer.statusCode, 503, answer.body);
    assert.equal(answer.json().error.code, 'recognition_busy');
    assert.ok(Number(answer.headers['retry-after']) > 0);
  } finally {
    await withdraw(idle.db.pool, filler);
    await idle.db.pool.query("DELETE FROM claims WHERE merchant_id = $1 AND files = '[]'", [merchants[0]!.id]);
  }
});

test('photos sent to a claim that is not asking for them are refused (409) and not stored', async () => {
  const [merchant] = await merchantsWithCredit(idle, 1, 2301);
  const { image } = await invoicePhoto(2301, '李娜');
  const claim = { id: await accepted(await submit(idle, merchant!.id, image)) };
  const storedBefore = fs.readdirSync(idle.filesDir, { recursive: true }).length;
  const other = await invoicePhoto(2302, '李娜');
  const body = multipart([{ field: 'invoice', filename: 'again.jpg', type: 'image/jpeg', bytes: other.image }]);
  const answer = await idle.app.inject({ method: 'POST', url: `/v1/claims/${claim.id}/photos`, headers: { ...asOps, ...body.headers }, payload: body.payload });
  assert.equal(answer.statusCode, 409, answer.body);
  assert.equal(answer.json().error.code, 'claim_not_waiting_for_photo');
  assert.equal(fs.readdirSync(idle.filesDir, { recursive: true }).length, storedBefore, 'nothing was added to the file store');
});

test("one merchant's queue of claims does not hold back another merchant's claim", async () => {
  const [busy, honest] = await merchantsWithCredit(live, 2, 2401);
  const photos = await Promise.all([2401, 2402, 2403, 2404, 2405].map((seed) => invoicePhoto(seed, '刘洋')));
  const queued = [];
  for (const p of photos.slice(0, MAX_WAITING_CLAIMS_PER_MERCHANT)) queued.push(await accepted(await submit(live, busy!.id, p.image)));
  const mine = await accepted(await submit(live, honest!.id, photos[4]!.image));
  await waitForClaim(live.db.pool, mine, LEFT_SUBMITTED);
  const { rows } = await live.db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM claims WHERE claim_id = ANY($1) AND status = 'submitted'", [queued]);
  // read one at a time per merchant: when the honest claim is read, the busy merchant's second is at most being read
  assert.ok(rows[0]!.n >= MAX_WAITING_CLAIMS_PER_MERCHANT - 2, `${rows[0]!.n} of the busy merchant's claims were still waiting`);
  for (const id of queued) await waitForClaim(live.db.pool, id, LEFT_SUBMITTED);
});

test('a PDF image bomb ends as a retake that says the file is too large to read (document_too_large)', async () => {
  const [merchant] = await merchantsWithCredit(live, 1, 2501);
  const claim = { id: await accepted(await submit(live, merchant!.id, imageBomb(8, 6000, 6600), 'application/pdf')) };
  assert.equal(await waitForClaim(live.db.pool, claim.id, LEFT_SUBMITTED), 'photo_requested');
  const { rows } = await live.db.pool.query<{ code: string; details: { reason?: string } }>('SELECT code, details FROM claim_events WHERE claim_id = $1 ORDER BY event_no DESC LIMIT 1', [claim.id]);
  assert.equal(rows[0]!.code, 'retake_too_large_to_read');
  assert.equal(rows[0]!.details.reason, 'document_too_large');
});

test("a claim's file is served as what it is, never as a page of this origin", async () => {
  const [merchant] = await merchantsWithCredit(idle, 1, 2601);
  const { image } = await invoicePhoto(2601, '陈静');
  const answer = await submit(idle, merchant!.id, image);
  const claim = answer.json();
  assert.equal(answer.statusCode, 201, answer.body);
  const file = await idle.app.inject({ url: `/v1/claims/${claim.id}/files/${claim.files[0].sha256}`, headers: asOps });
  assert.equal(file.statusCode, 200);
  assert.equal(file.headers['x-content-type-options'], 'nosniff');
  assert.equal(file.headers['content-security-policy'], "default-src 'none'; sandbox");
  assert.match(String(file.headers['content-disposition']), /^inline; filename="[0-9a-f]{16}\.(png|jpg)"$/);
});
