/** transitionClaim asserts the move against CLAIM_TRANSITIONS before it writes anything. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { getClaim, insertClaim, transitionClaim, type ClaimStatus } from '../../src/claims/store.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { enrolMerchants } from '../support/fixtures.ts';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
});
after(async () => {
  await db.close();
});

test('an illegal move is refused naming both statuses, and neither the claim nor its timeline changes', async () => {
  const [merchant] = await enrolMerchants(db.pool, 1, 71);
  const claim = { merchantId: merchant!.id, claimId: randomUUID() };
  const event = { code: 'test', zh: '测试', en: 'test' };
  await inTransaction(db.pool, async (client) => {
    await insertClaim(client, { ...claim, files: [], submittedAt: new Date() });
    await transitionClaim(client, claim, 'submitted', event);
  });
  // read in the same transaction: the refusal came before any write, not by a rollback
  await inTransaction(db.pool, async (client) => {
    await assert.rejects(transitionClaim(client, claim, 'paid', event, { paidFen: 100 }), { name: 'InvariantError', message: `claim ${claim.claimId} cannot move from submitted to paid` });
    assert.equal((await getClaim(client, claim.claimId))!.status, 'submitted');
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM claim_events WHERE claim_id = $1', [claim.claimId]);
    assert.equal(rows[0]!.n, 1);
  });
  await inTransaction(db.pool, (client) => transitionClaim(client, claim, 'recognized', event));
  assert.equal((await getClaim(db.pool, claim.claimId))!.status, 'recognized');
});

test('a claim tells its merchant what matters (in review, photo requested, paid, refused) and keeps every move in its timeline', async () => {
  const [merchant] = await enrolMerchants(db.pool, 1, 72);
  let invoices = 0;
  const walk = async (moves: readonly ClaimStatus[]) => {
    const claim = { merchantId: merchant!.id, claimId: randomUUID() };
    await inTransaction(db.pool, (client) => insertClaim(client, { ...claim, files: [], submittedAt: new Date() }));
    // an approval names its invoice (a constraint): one invoice per claim
    const invoice = { invoiceCode: '044001900111', invoiceNumber: String(10_000_000 + ++invoices), visitDate: '2026-11-30', coveredFen: 100 };
    const fields = (status: ClaimStatus) => (status === 'approved' ? invoice : status === 'paid' ? { paidFen: 100 } : {});
    for (const status of moves) await inTransaction(db.pool, (client) => transitionClaim(client, claim, status, { code: `to_${status}`, zh: status, en: status }, fields(status)));
    const timeline = await db.pool.query<{ status: string }>('SELECT status FROM claim_events WHERE merchant_id = $1 AND claim_id = $2 ORDER BY event_no', [claim.merchantId, claim.claimId]);
    const told = await db.pool.query<{ kind: string }>('SELECT kind FROM merchant_notifications WHERE merchant_id = $1 AND claim_id = $2 ORDER BY notification_id', [claim.merchantId, claim.claimId]);
    return { timeline: timeline.rows.map((r) => r.status), told: told.rows.map((r) => r.kind) };
  };
  // paid by the machine: one message, not one per step
  const straight = await walk(['submitted', 'recognized', 'approved', 'paid']);
  assert.deepEqual(straight.timeline, ['submitted', 'recognized', 'approved', 'paid']);
  assert.deepEqual(straight.told, ['claim_paid']);
  // a reviewer asks for a photo, the merchant sends it, the payout fails once and a person pays it
  const winding = await walk(['submitted', 'recognized', 'in_review', 'photo_requested', 'submitted', 'recognized', 'approved', 'in_review', 'approved', 'paid']);
  assert.equal(winding.timeline.length, 10, 'the timeline is whole');
  assert.deepEqual(winding.told, ['claim_in_review', 'claim_photo_requested', 'claim_in_review', 'claim_paid']);
  const refused = await walk(['submitted', 'recognized', 'rejected']);
  assert.deepEqual(refused.told, ['claim_rejected']);
  // refused, appealed, upheld by a person (whose reason the approval carries) and paid
  const appealed = await walk(['submitted', 'recognized', 'rejected', 'appealed', 'appeal_review', 'approved', 'paid']);
  assert.deepEqual(appealed.told, ['claim_rejected', 'claim_appeal_review', 'claim_approved', 'claim_paid']);
});
