/**
 * Money defects of issue 9, each reproduced against a real database: credit that expired under a
 * claim's reservation, over-cap forfeits forgotten by refunds, and merchant credit moved around its
 * lots. The database now refuses any commit where lots and ledger disagree (migration 0007).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type pg from 'pg';
import { createTransfers, merchantBalance, programmeAccountIds, transferIdFor } from '../../src/ledger/index.ts';
import { ingestPayments } from '../../src/payments/ingest.ts';
import { collectCredits, expireCredits, changeCredit, postReservation, reservationIdFor, reserveCredit, voidReservation, type CreditChange, type Spend } from '../../src/points/index.ts';
import { createTestApp, asOps, type TestApp } from '../support/app.ts';
import { assertLotsMatchLedger } from '../support/credit-invariants.ts';
import { earnAndCollect } from '../support/credit.ts';
import { enrolMerchants } from '../support/fixtures.ts';
import { notification, payerWallet } from '../support/payments.ts';

let t: TestApp;
let pool: pg.Pool;
let merchants: { id: number; walletUserId: string }[];

before(async () => {
  t = await createTestApp();
  pool = t.db.pool;
  merchants = await enrolMerchants(pool, 8);
});
after(() => t.close());

const PAID_AT = new Date('2026-03-02T02:00:00Z');
// collected 03-02 11:00 Shanghai; six months later, from the start of that business day
const EXPIRY = new Date('2026-09-01T16:00:00Z');

async function lots(merchantId: number): Promise<{ state: string; remaining: number; lost: number; trade: string }[]> {
  const { rows } = await pool.query<{ state: string; remaining: string; lost: string; trade: string }>(
    'SELECT state, remaining_fen::text AS remaining, lost_fen::text AS lost, trade_no AS trade FROM credit_lots WHERE merchant_id = $1 ORDER BY earned_at, kind',
    [merchantId],
  );
  return rows.map((r) => ({ state: r.state, remaining: Number(r.remaining), lost: Number(r.lost), trade: r.trade }));
}

/** Posted available credit: spendable plus what claims in flight reserve. */
async function held(merchantId: number): Promise<number> {
  const balance = (await merchantBalance(pool, merchantId))!;
  return balance.availableFen + balance.reservedFen;
}

function locked<T>(merchantId: number, work: (change: CreditChange) => Promise<T>): Promise<T> {
  return changeCredit(pool, async (change) => {
    await change.lock([merchantId]);
    return work(change);
  });
}

test('credit reserved by a claim does not expire from under it; voided later, it expires then, and no fen is left untracked', async () => {
  const m = merchants[0]!;
  await earnAndCollect(pool, m, 1, PAID_AT); // 200 payer + 200 welcome
  const spend: Spend = { merchantId: m.id, payoutId: '0c6b1f0e-8f51-4a39-9f0b-8f5d8c2a0001', claimId: 'claim-expiry-1', amountFen: 300 };
  await locked(m.id, (change) => reserveCredit(change, spend));

  assert.equal(await expireCredits(pool, EXPIRY), 1, 'one lot gives the 100 fen not reserved; the other is untouched');
  assert.equal(await held(m.id), 300, 'the reserved 300 fen are still there');
  assert.deepEqual((await lots(m.id)).map((l) => [l.state, l.remaining, l.lost]).sort(), [
    ['available', 100, 100],
    ['available', 200, 0],
  ]);
  const afterFirst = await lots(m.id);
  assert.equal(afterFirst.reduce((s, l) => s + l.remaining, 0), 300, 'lots hold exactly the reserved credit');
  assert.equal(afterFirst.reduce((s, l) => s + l.lost, 0), 100, 'what expired is recorded on the lots');
  await assertLotsMatchLedger(pool);

  await locked(m.id, (change) => voidReservation(change, spend));
  assert.equal((await merchantBalance(pool, m.id))!.availableFen, 300, 'the claim failed: the credit is back, still past its validity');
  assert.equal(await expireCredits(pool, EXPIRY), 2, 'the next sweep expires what the void gave back');
  assert.equal((await merchantBalance(pool, m.id))!.availableFen, 0);
  assert.deepEqual((await lots(m.id)).map((l) => [l.state, l.remaining, l.lost]), [
    ['expired', 0, 200],
    ['expired', 0, 200],
  ]);
  await assertLotsMatchLedger(pool);
});

test('credit reserved at expiry and then paid out is drawn from the lot that kept it', async () => {
  const m = merchants[1]!;
  await earnAndCollect(pool, m, 1, PAID_AT);
  const spend: Spend = { merchantId: m.id, payoutId: '0c6b1f0e-8f51-4a39-9f0b-8f5d8c2a0002', claimId: 'claim-expiry-2', amountFen: 400 };
  await locked(m.id, (change) => reserveCredit(change, spend));
  assert.equal(await expireCredits(pool, EXPIRY), 0, 'all of it is reserved: nothing expires');
  await locked(m.id, (change) => postReservation(change, spend));
  assert.equal((await merchantBalance(pool, m.id))!.availableFen, 0);
  assert.deepEqual((await lots(m.id)).map((l) => [l.state, l.remaining, l.lost]), [
    ['spent', 0, 0],
    ['spent', 0, 0],
  ]);
  await assertLotsMatchLedger(pool);
});

test('a refund of a trade whose credit was partly forfeited over the cap forgives the forfeit instead of taking other lots', async () => {
  const m = merchants[2]!;
  const cap = { availableCapFen: 500, validityMonths: 6 };
  const first = notification({ tradeNo: 'CAP-1', sellerId: m.walletUserId, buyerId: payerWallet(7001), gmtPayment: new Date('2026-03-02T02:00:00Z') });
  const second = notification({ tradeNo: 'CAP-2', sellerId: m.walletUserId, buyerId: payerWallet(7002), gmtPayment: new Date('2026-03-02T04:00:00Z') });
  await ingestPayments(pool, [first]); // 200 + 200 welcome
  await locked(m.id, (change) => collectCredits(change, m.id, cap, new Date('2026-03-02T03:00:00Z')));
  await ingestPayments(pool, [second]); // 200, of which 100 fit under the cap
  const collected = await locked(m.id, (change) => collectCredits(change, m.id, cap, new Date('2026-03-02T05:00:00Z')));
  assert.deepEqual([collected.collectedFen, collected.forfeitedOverCapFen], [100, 100]);
  assert.equal((await merchantBalance(pool, m.id))!.availableFen, 500);

  await ingestPayments(pool, [{ ...second, refundFeeFen: second.totalAmountFen, gmtRefund: new Date('2026-03-02T06:00:00Z') }]);
  // owed 200: 100 were forfeited (forgiven), 100 come back from the trade's own lot; CAP-1's lots keep their 400
  assert.equal((await merchantBalance(pool, m.id))!.availableFen, 400);
  const byTrade = await lots(m.id);
  assert.deepEqual(
    byTrade.filter((l) => l.trade === 'CAP-1').map((l) => l.remaining),
    [200, 200],
  );
  assert.deepEqual(
    byTrade.filter((l) => l.trade === 'CAP-2').map((l) => [l.state, l.remaining, l.lost]),
    [['clawed_back', 0, 100]],
  );
  await assertLotsMatchLedger(pool);
});

test('the ledger API refuses to move merchant credit (422 account_kind_not_allowed); programme money still moves', async () => {
  const m = merchants[3]!;
  await earnAndCollect(pool, m, 1, PAID_AT);
  const accounts = await t.app.inject({ url: `/v1/merchants/${m.id}/balance`, headers: asOps });
  assert.equal(accounts.statusCode, 200, accounts.body);
  const { rows } = await pool.query<{ account_id: number; kind: string }>('SELECT account_id::int, kind FROM ledger_accounts WHERE merchant_id = $1', [m.id]);
  const accountOf = (kind: string) => rows.find((r) => r.kind === kind)!.account_id;
  const programme = await programmeAccountIds(pool);
  for (const [debit, credit] of [
    [accountOf('merchant_available'), programme.expired],
    [programme.programme_funding, accountOf('merchant_pending')],
  ] as const) {
    const refused = await t.app.inject({
      method: 'POST',
      url: '/v1/ledger/transfers',
      headers: asOps,
      payload: { id: transferIdFor('test', 'credit-api', debit, credit), debitAccountId: debit, creditAccountId: credit, amountFen: 100, code: 'adjustment' },
    });
    assert.equal(refused.statusCode, 422, refused.body);
    assert.equal(refused.json().error.code, 'account_kind_not_allowed');
  }
  const debt = await t.app.inject({
    method: 'POST',
    url: '/v1/ledger/transfers',
    headers: asOps,
    payload: { id: transferIdFor('test', 'credit-api', 'ok'), debitAccountId: programme.programme_funding, creditAccountId: programme.expired, amountFen: 100, code: 'adjustment' },
  });
  assert.equal(debt.statusCode, 201, debt.body);
  assert.equal((await merchantBalance(pool, m.id))!.availableFen, 400);

  // nor post or void a claim's reservation of merchant credit
  const spend: Spend = { merchantId: m.id, payoutId: '0c6b1f0e-8f51-4a39-9f0b-8f5d8c2a0004', claimId: 'claim-api-void', amountFen: 100 };
  await locked(m.id, (change) => reserveCredit(change, spend));
  for (const phase of ['post', 'void'] as const) {
    const resolve = await t.app.inject({
      method: 'POST',
      url: '/v1/ledger/transfers',
      headers: asOps,
      payload: { id: transferIdFor('test', 'credit-api', phase), phase, pendingId: reservationIdFor(spend.payoutId), code: 'spend' },
    });
    assert.equal(resolve.statusCode, 422, resolve.body);
    assert.equal(resolve.json().error.code, 'account_kind_not_allowed');
  }
  await locked(m.id, (change) => voidReservation(change, spend));
});

test('the database refuses to commit merchant credit that its lots do not account for, by any path', async () => {
  const m = merchants[4]!;
  await earnAndCollect(pool, m, 1, PAID_AT);
  const { rows } = await pool.query<{ account_id: number }>("SELECT account_id::int FROM ledger_accounts WHERE merchant_id = $1 AND kind = 'merchant_available'", [m.id]);
  const programme = await programmeAccountIds(pool);
  // the internal entry point has no policy: only the database stands in the way
  await assert.rejects(
    createTransfers(pool, [{ id: transferIdFor('test', 'raw', m.id), debitAccountId: rows[0]!.account_id, creditAccountId: programme.expired, amountFen: 50, code: 'adjustment' }]),
    (err: unknown) => (err as { code?: string }).code === 'CP001' && /disagree with the ledger/.test((err as Error).message),
  );
  await assert.rejects(
    pool.query('UPDATE credit_lots SET remaining_fen = remaining_fen - 1 WHERE merchant_id = $1 AND remaining_fen > 0', [m.id]),
    (err: unknown) => (err as { code?: string }).code === 'CP001',
  );
  assert.equal((await merchantBalance(pool, m.id))!.availableFen, 400, 'nothing of either was committed');
  await assertLotsMatchLedger(pool);
});
