import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { merchantBalance, transferIdFor } from '../../src/ledger/index.ts';
import { InsufficientCredit, changeCredit, reserveCredit, spendCreditNow } from '../../src/points/index.ts';
import { earnAndCollect } from '../support/credit.ts';
import { assertLotsMatchLedger } from '../support/credit-invariants.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { enrolment, enrolMerchants } from '../support/fixtures.ts';

const DAY_MS = 86_400_000;
let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
});
after(async () => db.close());

async function spend(merchantId: number, key: string, amountFen: number) {
  return changeCredit(db.pool, async (change) => {
    await change.lock([merchantId]);
    await spendCreditNow(change, { merchantId, transferId: transferIdFor('test_spend', key), amountFen, reference: `test:${key}` });
  });
}

async function lots(merchantId: number) {
  const { rows } = await db.pool.query<{ collected: Date; remaining_fen: number; state: string }>(
    "SELECT collected_at AS collected, remaining_fen::int, state FROM credit_lots WHERE merchant_id = $1 AND state IN ('available', 'spent') ORDER BY collected_at, lot_id",
    [merchantId],
  );
  return rows;
}

test('an immediate spend draws the oldest lots first, in step with the ledger, and a replay changes nothing', async () => {
  const [m] = await enrolMerchants(db.pool, 1, 1);
  const wallet = enrolment(1).walletUserId;
  const start = Date.UTC(2031, 0, 10, 4);
  await earnAndCollect(db.pool, { id: m!.id, walletUserId: wallet }, 2, new Date(start)); // 200 welcome + 2 × 200
  await earnAndCollect(db.pool, { id: m!.id, walletUserId: wallet }, 3, new Date(start + 20 * DAY_MS)); // 3 × 200
  assert.equal((await merchantBalance(db.pool, m!.id))!.availableFen, 1_200);

  await spend(m!.id, 'a', 700);
  await spend(m!.id, 'a', 700);
  assert.equal((await merchantBalance(db.pool, m!.id))!.availableFen, 500, 'spent once');
  const after = await lots(m!.id);
  const first = after.filter((l) => l.collected.getTime() < start + 10 * DAY_MS);
  const second = after.filter((l) => l.collected.getTime() > start + 10 * DAY_MS);
  assert.deepEqual(first.map((l) => l.state), ['spent', 'spent', 'spent'], 'the first day’s 600 fen are gone first');
  assert.equal(second.reduce((s, l) => s + l.remaining_fen, 0), 500, 'then 100 of the second day’s 600');
  await assertLotsMatchLedger(db.pool);
});

test('a spend larger than the credit not reserved by claims is refused and writes nothing', async () => {
  const [m] = await enrolMerchants(db.pool, 1, 2);
  await earnAndCollect(db.pool, { id: m!.id, walletUserId: enrolment(2).walletUserId }, 4, new Date(Date.UTC(2031, 0, 10, 4))); // 1,000 fen
  await changeCredit(db.pool, async (change) => {
    await change.lock([m!.id]);
    await reserveCredit(change, { merchantId: m!.id, payoutId: 'testpayout0001', claimId: '00000000-0000-4000-8000-000000000001', amountFen: 600 });
  });
  await assert.rejects(spend(m!.id, 'b', 401), (err: unknown) => err instanceof InsufficientCredit && err.availableFen === 400 && err.neededFen === 401);
  assert.equal((await merchantBalance(db.pool, m!.id))!.availableFen, 400);
  await spend(m!.id, 'c', 400);
  assert.equal((await merchantBalance(db.pool, m!.id))!.availableFen, 0);
  const { rows } = await db.pool.query<{ remaining: string }>("SELECT sum(remaining_fen)::text AS remaining FROM credit_lots WHERE merchant_id = $1 AND state = 'available'", [m!.id]);
  assert.equal(rows[0]!.remaining, '600', 'the lots still hold what the claim reserved');
  await assertLotsMatchLedger(db.pool);
});
