import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { programmeAccountIds, programmeAccountsOf, transferIdFor } from '../../src/ledger/index.ts';
import { changeCredit, postCredit } from '../../src/points/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { enrolMerchants, type TestMerchant } from '../support/fixtures.ts';
import { assertLedgerInvariants } from '../support/ledger-invariants.ts';

let db: TestDatabase;
let merchants: TestMerchant[];

before(async () => {
  db = await createTestDatabase({ creditLots: false });
  merchants = await enrolMerchants(db.pool, 2);
});
after(async () => db.close());

const earn = (key: string, m: TestMerchant) => ({ id: transferIdFor('credit-change', key), debitAccountId: programmeAccountsOf(m.id).programme_funding, creditAccountId: m.pending, amountFen: 10, code: 'accrual' });

test("a credit change posts only for the merchants it locked, and locks them once", async () => {
  const [a, b] = merchants as [TestMerchant, TestMerchant];
  await assert.rejects(
    changeCredit(db.pool, (change) => postCredit(change, [earn('unlocked', a)])),
    new RegExp(`moves the credit of merchant ${a.id}, which this change has not locked`),
  );
  await assert.rejects(
    changeCredit(db.pool, async (change) => {
      await change.lock([a.id]);
      await postCredit(change, [earn('other', b)]);
    }),
    new RegExp(`merchant ${b.id}, which this change has not locked`),
  );
  await assert.rejects(
    changeCredit(db.pool, async (change) => {
      await change.lock([a.id]);
      await change.lock([b.id]);
    }),
    /locks its merchants once/,
  );
  const locked = await changeCredit(db.pool, async (change) => {
    const state = await change.lock([b.id, a.id, 999_999]);
    await postCredit(change, [earn('locked-a', a), earn('locked-b', b)]);
    return [...state.keys()].sort((x, y) => x - y);
  });
  assert.deepEqual(locked, [a.id, b.id].sort((x, y) => x - y), 'the merchants that exist are locked; an unknown id is not');
  // the programme's own transfers move no merchant's credit
  const programme = await programmeAccountIds(db.pool);
  await changeCredit(db.pool, (change) => postCredit(change, [{ id: transferIdFor('credit-change', 'programme'), debitAccountId: programme.programme_funding, creditAccountId: programme.lapsed, amountFen: 1, code: 'adjustment' }]));
  const { rows } = await db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM ledger_transfers WHERE reference IS NULL AND code IN ('accrual', 'adjustment')");
  assert.equal(rows[0]!.n, 3, 'two earnings and the adjustment, nothing of the refused changes');
  await assertLedgerInvariants(db.pool);
});
