/** transitionClaim asserts the move against CLAIM_TRANSITIONS before it writes anything. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { getClaim, insertClaim, transitionClaim } from '../../src/claims/store.ts';
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
