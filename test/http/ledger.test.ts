import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { apiKeyId } from '../../src/auth/index.ts';
import { programmeAccountIds, transferIdFor } from '../../src/ledger/index.ts';
import { asOps, asPlatform, createTestApp, OPS_KEY, type TestApp } from '../support/app.ts';
import { enrolMerchants, type TestMerchant } from '../support/fixtures.ts';

let t: TestApp;
let m: TestMerchant;
let funding: number;
let payable: number;
before(async () => {
  t = await createTestApp();
  m = (await enrolMerchants(t.db.pool, 1))[0]!;
  const programme = await programmeAccountIds(t.db.pool);
  funding = programme.programme_funding;
  payable = programme.reimbursement_payable;
});
after(async () => t.close());

const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url, headers: asOps, payload });

test('creates a transfer (201), replays it (200), refuses a changed body (409) and an overdraft (422)', async () => {
  // operators move programme money and merchant debt; merchant credit moves only with its lots
  const body = { id: transferIdFor('http', 1), debitAccountId: m!.debt, creditAccountId: funding, amountFen: 200, code: 'debt_adjust', reference: 'case-1' };
  const created = await post('/v1/ledger/transfers', body);
  assert.equal(created.statusCode, 201);
  assert.equal(created.json().amountFen, 200);
  assert.equal(created.json().merchantId, String(m!.id));
  const replay = await post('/v1/ledger/transfers', body);
  assert.equal(replay.statusCode, 200);
  assert.deepEqual(replay.json(), created.json());
  const changed = await post('/v1/ledger/transfers', { ...body, amountFen: 201 });
  assert.equal(changed.statusCode, 409);
  assert.equal(changed.json().error.code, 'exists_with_different_fields');
  const overdraft = await post('/v1/ledger/transfers', { id: transferIdFor('http', 2), debitAccountId: funding, creditAccountId: m!.debt, amountFen: 201, code: 'debt_forgive' });
  assert.equal(overdraft.statusCode, 422);
  assert.equal(overdraft.json().error.code, 'exceeds_debits');
  const balance = await t.app.inject({ url: `/v1/merchants/${m!.id}/balance`, headers: asPlatform });
  assert.deepEqual([balance.json().debtFen, balance.json().availableFen], [200, 0]);
});

test('refuses malformed transfers naming the field', async () => {
  const cases: [object, string, string][] = [
    [{ id: 'nope', debitAccountId: funding, creditAccountId: m!.available, amountFen: 1, code: 'accrual' }, 'invalid_field', 'id'],
    [{ id: transferIdFor('bad', 1), debitAccountId: funding, creditAccountId: m!.available, amountFen: 1.5, code: 'accrual' }, 'invalid_type', 'amountFen'],
    [{ id: transferIdFor('bad', 2), debitAccountId: funding, creditAccountId: m!.available, amountFen: -1, code: 'accrual' }, 'invalid_field', 'amountFen'],
    [{ id: transferIdFor('bad', 3), debitAccountId: funding, creditAccountId: m!.available, amountFen: '5', code: 'accrual' }, 'invalid_type', 'amountFen'],
    [{ id: transferIdFor('bad', 4), creditAccountId: m!.available, amountFen: 1, code: 'accrual' }, 'invalid_field', 'debitAccountId'],
    [{ id: transferIdFor('bad', 5), phase: 'post', code: 'spend' }, 'invalid_field', 'pendingId'],
    [{ id: transferIdFor('bad', 6), phase: 'void', pendingId: transferIdFor('x'), debitAccountId: 1, code: 'spend' }, 'invalid_field', 'debitAccountId'],
    [{ id: transferIdFor('bad', 7), debitAccountId: funding, creditAccountId: m!.available, amountFen: 1, code: 'accrual', colour: 'red' }, 'unknown_field', 'colour'],
  ];
  for (const [body, code, field] of cases) {
    const res = await post('/v1/ledger/transfers', body);
    assert.equal(res.statusCode, 400, JSON.stringify(res.json()));
    assert.deepEqual({ code: res.json().error.code, field: res.json().error.field }, { code, field });
  }
  const batch = await post('/v1/ledger/transfers:batch', { transfers: [{ id: transferIdFor('bad', 8), phase: 'post', code: 'spend' }] });
  assert.equal(batch.statusCode, 400);
  assert.equal(batch.json().error.field, 'transfers.0.pendingId');
  const { rows } = await t.db.pool.query("SELECT count(*)::int n FROM ledger_transfers WHERE code <> 'debt_adjust' OR amount_fen <> 200");
  assert.equal(rows[0].n, 0, 'nothing written');
});

test('a batch answers per transfer, with linked chains all or nothing', async () => {
  const reserveId = transferIdFor('http-batch', 'reserve');
  const res = await post('/v1/ledger/transfers:batch', {
    transfers: [
      { id: transferIdFor('http-batch', 1), debitAccountId: m!.debt, creditAccountId: funding, amountFen: 300, code: 'debt_adjust' },
      { id: reserveId, phase: 'pending', debitAccountId: payable, creditAccountId: m!.debt, amountFen: 250, code: 'debt_forgive', timeoutS: 600 },
      { id: transferIdFor('http-batch', 2), phase: 'post', pendingId: reserveId, amountFen: 200, code: 'debt_forgive' },
      { id: transferIdFor('http-batch', 3), debitAccountId: m!.debt, creditAccountId: funding, amountFen: 5, code: 'debt_adjust', linked: true },
      { id: transferIdFor('http-batch', 4), debitAccountId: funding, creditAccountId: m!.debt, amountFen: 10_000, code: 'debt_forgive' },
    ],
  });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(
    res.json().results.map((r: { status: string; error?: string }) => r.error ?? r.status),
    ['created', 'created', 'created', 'linked_event_failed', 'exceeds_debits'],
  );
  const balance = (await t.app.inject({ url: `/v1/merchants/${m!.id}/balance`, headers: asOps })).json();
  assert.equal(balance.debtFen, 200 + 300 - 200);
  const account = await t.app.inject({ url: `/v1/ledger/accounts/${m!.debt}`, headers: asOps });
  assert.equal(account.json().debitsPostedFen, 500);
  assert.equal(account.json().creditsPostedFen, 200);
});

test('an operator\'s transfers are audited once per batch, naming the key and each transfer; refused ones and replays are not (issue 21 Low 10)', async () => {
  const audits = async () => (await t.db.pool.query<{ actor_kind: string; actor_id: string; details: { transfers: { id: string; amountFen: number }[]; totalFen: number } }>("SELECT actor_kind, actor_id, details FROM audit_log WHERE action = 'ledger.transfers' ORDER BY audit_id")).rows;
  const before = (await audits()).length;
  const [debtor] = await enrolMerchants(t.db.pool, 1, 10);
  const batch = [
    { id: transferIdFor('audit', 1), debitAccountId: debtor!.debt, creditAccountId: funding, amountFen: 30, code: 'debt_adjust' },
    { id: transferIdFor('audit', 2), debitAccountId: debtor!.debt, creditAccountId: funding, amountFen: 12, code: 'debt_adjust' },
  ];
  const accepted = await post('/v1/ledger/transfers:batch', { transfers: batch });
  assert.deepEqual(accepted.json().results.map((r: { status: string }) => r.status), ['created', 'created']);
  const rows = (await audits()).slice(before);
  assert.equal(rows.length, 1);
  assert.deepEqual([rows[0]!.actor_kind, rows[0]!.actor_id], ['staff', `ops:${apiKeyId(OPS_KEY)}`]);
  assert.deepEqual(rows[0]!.details.transfers.map((x) => [x.id, x.amountFen]), [[batch[0]!.id, 30], [batch[1]!.id, 12]]);
  assert.equal(rows[0]!.details.totalFen, 42);

  // a replayed batch, a refused transfer and a batch whose every transfer is refused write nothing
  assert.equal((await post('/v1/ledger/transfers:batch', { transfers: batch })).statusCode, 200);
  const overdraft = { id: transferIdFor('audit', 3), debitAccountId: funding, creditAccountId: debtor!.debt, amountFen: 10 ** 9, code: 'debt_forgive' };
  assert.equal((await post('/v1/ledger/transfers', overdraft)).statusCode, 422);
  const refused = await post('/v1/ledger/transfers:batch', { transfers: [overdraft] });
  assert.deepEqual(refused.json().results.map((r: { status: string }) => r.status), ['failed']);
  assert.equal((await audits()).length, before + 1);
});

test('history is cursor-paginated, newest first', async () => {
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const url: string = `/v1/merchants/${m!.id}/transfers?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
    const res = await t.app.inject({ url, headers: asPlatform });
    assert.equal(res.statusCode, 200);
    const page = res.json() as { data: { id: string }[]; nextCursor: string | null };
    pages.push(page.data.map((x) => x.id));
    cursor = page.nextCursor;
  } while (cursor);
  const all = pages.flat();
  assert.equal(all.length, 4);
  assert.equal(new Set(all).size, 4);
  assert.equal(all[0], transferIdFor('http-batch', 2), 'the newest first');
  const bad = await t.app.inject({ url: `/v1/merchants/${m!.id}/transfers?cursor=abc`, headers: asPlatform });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().error.field, 'cursor');
  const badLimit = await t.app.inject({ url: `/v1/merchants/${m!.id}/transfers?limit=1000`, headers: asPlatform });
  assert.equal(badLimit.statusCode, 400);
  assert.equal(badLimit.json().error.field, 'limit');
});
