import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  createTransfers,
  expirePendingTransfers,
  merchantBalance,
  merchantHistory,
  programmeAccountIds,
  transferIdFor,
  type TransferInput,
} from '../../src/ledger/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { enrolMerchants, type TestMerchant } from '../support/fixtures.ts';
import { untilPendingExpires } from '../support/ledger-clock.ts';
import { assertLedgerInvariants } from '../support/ledger-invariants.ts';

let db: TestDatabase;
let merchants: TestMerchant[];
let programme: Awaited<ReturnType<typeof programmeAccountIds>>;

before(async () => {
  db = await createTestDatabase({ creditLots: false });
  merchants = await enrolMerchants(db.pool, 6);
  programme = await programmeAccountIds(db.pool);
});
after(async () => db.close());

const accrue = (key: string, m: TestMerchant, amountFen: number): TransferInput => ({
  id: transferIdFor('db-test', key),
  debitAccountId: programme.programme_funding,
  creditAccountId: m.available,
  amountFen,
  code: 'accrual',
});

test('the database refuses a negative available balance even if application code is wrong', async () => {
  const m = merchants[0]!;
  // a transfer of the programme's own first: it also makes today's partitions
  const [own] = await createTransfers(db.pool, [{ id: transferIdFor('db-test', 'programme-own'), debitAccountId: programme.programme_funding, creditAccountId: programme.lapsed, amountFen: 1, code: 'adjustment' }]);
  assert.equal(own!.status, 'created');
  assert.equal(own!.status === 'created' && own!.transfer.merchantId, null, "the programme's own transfer belongs to no merchant");
  assert.deepEqual((await db.pool.query('SELECT merchant_id FROM ledger_transfers')).rows, [{ merchant_id: 0 }], 'and is kept under merchant 0');
  await assert.rejects(db.pool.query('UPDATE ledger_accounts SET debits_posted = debits_posted + 1 WHERE account_id = $1', [m.available]), /ledger_accounts_debits_within_credits/);
  await assert.rejects(
    db.pool.query("INSERT INTO ledger_accounts (account_id, merchant_id, kind, debits_must_not_exceed_credits, credits_must_not_exceed_debits) VALUES (ledger_account_id($1, 'merchant_available'), $1, 'merchant_available', false, false)", [m.id]),
    /ledger_accounts_merchant_credit_limited/,
  );
  // an account's id carries its merchant: merchant × 8 + its kind's code
  assert.equal(m.available, m.id * 8 + 2);
  await assert.rejects(
    db.pool.query("INSERT INTO ledger_accounts (account_id, merchant_id, kind, debits_must_not_exceed_credits, credits_must_not_exceed_debits) VALUES ($1, $2, 'merchant_debt', false, true)", [m.id * 8 + 5, m.id]),
    /ledger_accounts_id_carries_merchant/,
  );
  await assert.rejects(
    db.pool.query("INSERT INTO ledger_accounts (account_id, merchant_id, kind, debits_must_not_exceed_credits, credits_must_not_exceed_debits) VALUES (ledger_account_id(999999, 'merchant_debt'), 999999, 'merchant_debt', false, true)"),
    /unknown merchant 999999/,
  );
  await assert.rejects(db.pool.query('UPDATE ledger_accounts SET credits_posted = credits_posted + 1 WHERE account_id = $1', [m.debt]), /ledger_accounts_credits_within_debits/);
  await assert.rejects(
    db.pool.query(`INSERT INTO ledger_transfers (seq, transfer_id, debit_account_id, credit_account_id, amount_fen, code, phase, merchant_id, history_day) VALUES (nextval('ledger_transfer_seq'), gen_random_uuid(), $1, $1, 5, 'accrual', 'single', $2, (now() AT TIME ZONE 'Asia/Shanghai')::date)`, [m.available, m.id]),
    /ledger_transfers_distinct_accounts/,
  );
  await assert.rejects(
    db.pool.query(`INSERT INTO ledger_transfers (seq, transfer_id, debit_account_id, credit_account_id, amount_fen, code, phase, merchant_id, history_day) VALUES (nextval('ledger_transfer_seq'), gen_random_uuid(), $1, 999999999, 5, 'accrual', 'single', $2, (now() AT TIME ZONE 'Asia/Shanghai')::date)`, [m.available, m.id]),
    /unknown account 999999999/,
  );
  await assert.rejects(db.pool.query('DELETE FROM ledger_accounts WHERE account_id = $1', [m.available]), /ledger accounts are permanent/);
  await assert.rejects(db.pool.query('UPDATE ledger_accounts SET merchant_id = NULL WHERE account_id = $1', [m.available]), /keeps its owner, kind and limits/);
  await assert.rejects(db.pool.query('UPDATE ledger_accounts SET debits_must_not_exceed_credits = false WHERE account_id = $1', [m.available]), /keeps its owner, kind and limits/);
  await assert.rejects(db.pool.query('UPDATE ledger_transfers SET amount_fen = amount_fen + 1'), /ledger transfers are immutable/);
  await assert.rejects(db.pool.query('DELETE FROM ledger_transfers'), /ledger transfers are immutable/);
  // a day's partition, named directly, is as immutable as the whole
  const { rows } = await db.pool.query<{ day: string }>('SELECT tableoid::regclass::text AS day FROM ledger_transfers LIMIT 1');
  assert.match(rows[0]!.day, /^ledger_transfers_d\d{8}$/);
  await assert.rejects(db.pool.query(`UPDATE ${rows[0]!.day} SET amount_fen = amount_fen + 1`), /ledger transfers are immutable/);
  await assert.rejects(db.pool.query(`DELETE FROM ${rows[0]!.day}`), /ledger transfers are immutable/);
  await assert.rejects(db.pool.query('DELETE FROM ledger_transfer_ids'), /transfer ids are permanent/);
});

test('several clients posting to the same accounts at once lose nothing and double nothing', async () => {
  const m = merchants.slice(1, 4);
  const clients = 8;
  const perClient = 40;
  // every client sends the same ids as one other client, in a different order: each id must apply once
  const work = Array.from({ length: clients }, (_, c) => {
    const shared = Math.floor(c / 2);
    const transfers = Array.from({ length: perClient }, (_, i) => accrue(`conc-${shared}-${i}`, m[i % m.length]!, 1 + (i % 5)));
    return c % 2 ? transfers.reverse() : transfers;
  });
  const before = await Promise.all(m.map((x) => merchantBalance(db.pool, x.id)));
  const results = await Promise.all(work.map(async (transfers) => (await Promise.all([createTransfers(db.pool, transfers.slice(0, 20)), createTransfers(db.pool, transfers.slice(20))])).flat()));
  const statuses = results.flat().map((r) => r.status);
  const distinct = clients / 2 * perClient;
  assert.equal(statuses.filter((s) => s === 'created').length, distinct, 'each distinct transfer created exactly once');
  assert.equal(statuses.filter((s) => s === 'exists').length, distinct, 'its twin found it');
  const after = await Promise.all(m.map((x) => merchantBalance(db.pool, x.id)));
  const expected = m.map((_, k) => Array.from({ length: perClient }, (_, i) => (i % m.length === k ? 1 + (i % 5) : 0)).reduce((a, b) => a + b, 0) * (clients / 2));
  assert.deepEqual(after.map((b, k) => b!.availableFen - before[k]!.availableFen), expected);
  await assertLedgerInvariants(db.pool);
});

test('concurrent spends never overdraw: exactly as many succeed as the balance allows', async () => {
  const m = merchants[4]!;
  await createTransfers(db.pool, [accrue('spend-race-fund', m, 1000)]);
  const spends = Array.from({ length: 30 }, (_, i) => ({ id: transferIdFor('spend-race', i), debitAccountId: m.available, creditAccountId: programme.reimbursement_payable, amountFen: 100, code: 'spend' }));
  const results = (await Promise.all(spends.map((s) => createTransfers(db.pool, [s])))).flat();
  assert.equal(results.filter((r) => r.status === 'created').length, 10);
  assert.ok(results.filter((r) => r.status === 'failed').every((r) => r.status === 'failed' && r.error === 'exceeds_credits'));
  assert.equal((await merchantBalance(db.pool, m.id))!.availableFen, 0);
});

test('a pending transfer posts or voids once, even when both race', async () => {
  const m = merchants[5]!;
  await createTransfers(db.pool, [accrue('race-fund', m, 500)]);
  const reserve = { id: transferIdFor('race-reserve'), phase: 'pending' as const, debitAccountId: m.available, creditAccountId: programme.reimbursement_payable, amountFen: 300, code: 'spend' };
  assert.equal((await createTransfers(db.pool, [reserve]))[0]!.status, 'created');
  assert.deepEqual(await merchantBalance(db.pool, m.id), { merchantId: m.id, availableFen: 200, reservedFen: 300, pendingFen: 0, debtFen: 0 });
  const [post, voided] = await Promise.all([
    createTransfers(db.pool, [{ id: transferIdFor('race-post'), phase: 'post', pendingId: reserve.id, code: 'spend' }]),
    createTransfers(db.pool, [{ id: transferIdFor('race-void'), phase: 'void', pendingId: reserve.id, code: 'spend_void' }]),
  ]);
  const outcome = (r: (typeof post)[number]) => (r.status === 'failed' ? r.error : r.status);
  const postWon = outcome(post[0]!) === 'created';
  // whichever won, the loser is told exactly that, and the balance is the winner's
  if (postWon) assert.equal(outcome(voided[0]!), 'pending_transfer_already_posted');
  else assert.deepEqual([outcome(voided[0]!), outcome(post[0]!)], ['created', 'pending_transfer_already_voided']);
  const balance = (await merchantBalance(db.pool, m.id))!;
  assert.equal(balance.reservedFen, 0);
  assert.equal(balance.availableFen, postWon ? 200 : 500, postWon ? 'posted: the 300 reserved are spent' : 'voided: the 300 reserved are back');
  await assertLedgerInvariants(db.pool);
});

test('expired reservations cannot be posted and the sweep releases them once', async () => {
  const m = merchants[0]!;
  await createTransfers(db.pool, [accrue('expiry-fund', m, 100)]);
  const reserve = { id: transferIdFor('expiry-reserve'), phase: 'pending' as const, debitAccountId: m.available, creditAccountId: programme.reimbursement_payable, amountFen: 60, code: 'spend', timeoutS: 1 };
  await createTransfers(db.pool, [reserve]);
  assert.equal((await merchantBalance(db.pool, m.id))!.reservedFen, 60);
  await untilPendingExpires(db.pool, reserve.id);
  const [post] = await createTransfers(db.pool, [{ id: transferIdFor('expiry-post'), phase: 'post', pendingId: reserve.id, code: 'spend' }]);
  assert.deepEqual(post, { id: transferIdFor('expiry-post'), status: 'failed', error: 'pending_transfer_expired' });
  const [first, second] = await Promise.all([expirePendingTransfers(db.pool), expirePendingTransfers(db.pool)]);
  const voids = [...first!, ...second!].filter((r) => r.status === 'created');
  assert.equal(voids.length, 1, 'voided exactly once');
  const balance = (await merchantBalance(db.pool, m.id))!;
  assert.equal(balance.reservedFen, 0);
  assert.equal(balance.availableFen, 100);
});

test('history pages newest first without gaps or repeats', async () => {
  const m = merchants[2]!;
  const { transfers: all } = await merchantHistory(db.pool, m.id, { limit: 200 });
  const seen: number[] = [];
  let beforeSeq: number | undefined;
  for (;;) {
    const page = await merchantHistory(db.pool, m.id, { limit: 7, ...(beforeSeq ? { beforeSeq } : {}) });
    seen.push(...page.transfers.map((t) => t.seq));
    if (!page.hasMore) break;
    beforeSeq = page.transfers.at(-1)!.seq;
  }
  assert.ok(all.length > 7, 'enough history to page');
  assert.deepEqual(seen, all.map((t) => t.seq));
  assert.deepEqual([...seen].sort((a, b) => b - a), seen);
});

test('a batch over the limit is refused before touching the database', async () => {
  const big = Array.from({ length: 8191 }, (_, i) => accrue(`big-${i}`, merchants[0]!, 1));
  await assert.rejects(createTransfers(db.pool, big), RangeError);
});

test("a transfer whose day is archived (its partition detached) is never made again: its id is refused, not taken for new", async () => {
  const transfer = accrue('archived-day', merchants[3]!, 7);
  assert.equal((await createTransfers(db.pool, [transfer]))[0]!.status, 'created');
  const { rows } = await db.pool.query<{ part: string; day: string }>(
    "SELECT tableoid::regclass::text AS part, history_day::text AS day FROM ledger_transfers WHERE transfer_id = $1",
    [transfer.id],
  );
  const { part, day } = rows[0]!;
  await db.pool.query(`ALTER TABLE ledger_transfers DETACH PARTITION ${part}`);
  try {
    await assert.rejects(createTransfers(db.pool, [transfer]), /not in the ledger's live history/);
  } finally {
    await db.pool.query(`ALTER TABLE ledger_transfers ATTACH PARTITION ${part} FOR VALUES FROM ('${day}') TO ('${day}'::date + 1)`);
  }
  assert.equal((await createTransfers(db.pool, [transfer]))[0]!.status, 'exists', 'back in the live history, the replay finds it');
  await assertLedgerInvariants(db.pool);
});
