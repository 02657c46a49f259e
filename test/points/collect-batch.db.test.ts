import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { merchantBalance } from '../../src/ledger/index.ts';
import { ingestPayments } from '../../src/payments/ingest.ts';
import { CLASSIC_2019 } from '../../src/points/accrual-rules.ts';
import { collectCreditsOf, changeCredit } from '../../src/points/index.ts';
import { assertLotsMatchLedger } from '../support/credit-invariants.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { enrolMerchants } from '../support/fixtures.ts';
import { notification, payerWallet } from '../support/payments.ts';

let db: TestDatabase;
let merchants: { id: number; walletUserId: string }[];
before(async () => {
  db = await createTestDatabase();
  merchants = await enrolMerchants(db.pool, 4);
});
after(async () => db.close());

test('collecting for many merchants at once gives each what collecting alone would, cap and debt included', async () => {
  const paidAt = new Date('2026-03-02T02:00:00Z');
  // merchant 0: 3 payers; merchant 1: 1 payer; merchant 2: 6 payers under a cap of 1,000 fen; merchant 3: nothing
  const counts = [3, 1, 6, 0];
  await ingestPayments(
    db.pool,
    merchants.flatMap((m, k) => Array.from({ length: counts[k]! }, (_, i) => notification({ tradeNo: `CB-${k}-${i}`, sellerId: m.walletUserId, buyerId: payerWallet(100 * k + i), gmtPayment: paidAt }))),
  );
  const ids = merchants.map((m) => m.id);
  const summaries = await changeCredit(db.pool, async (change) => {
    await change.lock(ids);
    return collectCreditsOf(change, ids, { ...CLASSIC_2019, availableCapFen: 1_000 }, new Date(paidAt.getTime() + 3_600_000));
  });
  // hand-computed: 200 a payer plus the 200 welcome; merchant 2 earned 1,400 and keeps 1,000
  assert.deepEqual(
    ids.map((id) => [summaries.get(id)!.collectedFen, summaries.get(id)!.forfeitedOverCapFen]),
    [
      [800, 0],
      [400, 0],
      [1_000, 400],
      [0, 0],
    ],
  );
  for (const [k, id] of ids.entries()) assert.equal((await merchantBalance(db.pool, id))!.availableFen, [800, 400, 1_000, 0][k]);
  await assertLotsMatchLedger(db.pool);
});
