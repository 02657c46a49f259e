/**
 * A retried claim upload (the same Idempotency-Key) gets the answer of the first, even when the
 * credit has been spent since (issue 20, finding 5): the stored answer is looked up before the
 * credit check.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { merchantBalance } from '../../src/ledger/index.ts';
import { asOps, asReviewer } from '../support/app.ts';
import { createClaimsHarness, multipart, type ClaimsHarness } from '../support/claims.ts';
import { merchantWithCredit, photoBytes, readInvoice, storedClaim } from './stored-claims.ts';

let h: ClaimsHarness;
before(async () => {
  h = await createClaimsHarness({ workers: false });
});
after(async () => h.close());

test('a retry with the same Idempotency-Key replays the claim after its credit was spent; a new key is refused', async () => {
  const m = await merchantWithCredit(h.db.pool, 301);
  const upload = () => {
    const body = multipart([
      { field: 'merchantId', value: String(m.id) },
      { field: 'invoice', filename: 'bill.jpg', type: 'image/jpeg', bytes: photoBytes('301 upload') },
    ]);
    return { headers: { ...asOps, ...body.headers }, payload: body.payload };
  };
  const once = upload();
  const first = await h.app.inject({ method: 'POST', url: '/v1/claims', payload: once.payload, headers: { ...once.headers, 'idempotency-key': 'upload-301' } });
  assert.equal(first.statusCode, 201, first.body);
  // another claim of the merchant takes all of its credit (a reviewer approves 12.00 CNY of 12.00)
  const other = await storedClaim(h.db.pool, m, { read: readInvoice(m), photo: photoBytes('301 other'), phash: 'aaaaaaaaaaaaaaaa' });
  const spent = await h.app.inject({ method: 'POST', url: `/v1/review/claims/${other}/decision`, headers: asReviewer, payload: { action: 'approve', reasonCode: 'checked_by_hand' } });
  assert.equal(spent.json().benefitFen, 1_200, spent.body);
  assert.equal((await merchantBalance(h.db.pool, m.id))!.availableFen, 0);
  const retry = upload();
  const replayed = await h.app.inject({ method: 'POST', url: '/v1/claims', payload: retry.payload, headers: { ...retry.headers, 'idempotency-key': 'upload-301' } });
  assert.equal(replayed.statusCode, 201, replayed.body);
  assert.equal(replayed.headers['idempotent-replayed'], 'true');
  assert.equal(replayed.json().id, first.json().id);
  const fresh = upload();
  const refused = await h.app.inject({ method: 'POST', url: '/v1/claims', payload: fresh.payload, headers: { ...fresh.headers, 'idempotency-key': 'upload-301-b' } });
  assert.equal(refused.statusCode, 422, refused.body);
  assert.equal(refused.json().error.code, 'no_credit');
});
