import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTransfers, programmeAccountsOf, programmeBucketOf, transferIdFor } from '../../src/ledger/index.ts';
import { hashint8, PROGRAMME_ANCHOR_BASE, programmeAnchorOf } from '../../src/ledger/programme-buckets.ts';
import { PROGRAMME_ACCOUNT_KINDS } from '../../src/ledger/types.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { enrolMerchants, type TestMerchant } from '../support/fixtures.ts';
import { assertLedgerInvariants } from '../support/ledger-invariants.ts';

let db: TestDatabase;
let merchants: TestMerchant[];

before(async () => {
  db = await createTestDatabase({ creditLots: false });
  merchants = await enrolMerchants(db.pool, 40);
});
after(async () => db.close());

// small ids, the 32-bit boundaries (where hashint8 folds the high half in) and ids near 2^53
const SAMPLE_IDS = [
  ...Array.from({ length: 500 }, (_, i) => i),
  ...Array.from({ length: 500 }, (_, i) => 1_000_003 * i + 17),
  2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 40, 2 ** 40 + 253, 2 ** 50 + 3, Number.MAX_SAFE_INTEGER,
];

test("the application's bucket of a merchant is the database's (PostgreSQL's hashint8, Citus's 32 ranges)", async () => {
  const { rows } = await db.pool.query<{ id: string; hash: number; bucket: number }>(
    'SELECT id::text, hashint8(id) AS hash, programme_bucket(id) AS bucket FROM unnest($1::bigint[]) AS id',
    [SAMPLE_IDS.map(String)],
  );
  assert.equal(rows.length, SAMPLE_IDS.length);
  for (const r of rows) {
    const id = Number(r.id);
    assert.equal(hashint8(id), r.hash, `hashint8(${id})`);
    assert.equal(programmeBucketOf(id), r.bucket, `bucket of ${id}`);
  }
  // hand-checked values: PostgreSQL 15's SELECT hashint8(0), hashint8(1), hashint8(2^32)
  assert.deepEqual([hashint8(0), hashint8(1), hashint8(2 ** 32)], [-272711505, -1905060026, -1905060026]);
  const buckets = new Set(Array.from({ length: 2000 }, (_, i) => programmeBucketOf(i + 1)));
  assert.equal(buckets.size, 32, 'two thousand merchants fall in every bucket');
});

test('each bucket has its five programme accounts under an anchor of its own bucket', async () => {
  const { rows } = await db.pool.query<{ merchant_id: string; kind: string; account_id: string; bucket: number; anchor: string }>(
    `SELECT merchant_id::text, kind, account_id::text, programme_bucket(merchant_id) AS bucket, programme_anchor(merchant_id)::text AS anchor
       FROM ledger_accounts WHERE merchant_id >= $1 ORDER BY merchant_id, kind`,
    [PROGRAMME_ANCHOR_BASE],
  );
  assert.equal(rows.length, 32 * 5);
  for (let bucket = 0; bucket < 32; bucket++) {
    const anchor = programmeAnchorOf(bucket);
    assert.equal(programmeBucketOf(anchor), bucket);
    const own = rows.filter((r) => Number(r.merchant_id) === anchor);
    assert.deepEqual(own.map((r) => r.kind).sort(), [...PROGRAMME_ACCOUNT_KINDS].sort(), `bucket ${bucket}'s accounts`);
    for (const r of own) assert.equal(r.anchor, String(anchor), 'the database names the same anchor');
  }
  const m = merchants[0]!;
  const accounts = programmeAccountsOf(m.id);
  for (const kind of PROGRAMME_ACCOUNT_KINDS) {
    const row = rows.find((r) => Number(r.account_id) === accounts[kind]);
    assert.equal(row?.kind, kind, `merchant ${m.id}'s ${kind} account exists`);
    assert.equal(row?.bucket, programmeBucketOf(m.id), 'in the merchant bucket');
  }
});

test("a merchant's transfer names its own bucket's programme accounts, never another bucket's", async () => {
  const m = merchants[0]!;
  const other = merchants.find((x) => programmeBucketOf(x.id) !== programmeBucketOf(m.id))!;
  const [own] = await createTransfers(db.pool, [
    { id: transferIdFor('bucket-test', 'own'), debitAccountId: programmeAccountsOf(m.id).programme_funding, creditAccountId: m.available, amountFen: 1, code: 'adjustment' },
  ]);
  assert.equal(own!.status, 'created');
  await assert.rejects(
    createTransfers(db.pool, [
      { id: transferIdFor('bucket-test', 'cross'), debitAccountId: programmeAccountsOf(other.id).programme_funding, creditAccountId: m.available, amountFen: 1, code: 'adjustment' },
    ]),
    /unknown account/,
  );
  // the programme's own transfers may move money between any of its accounts
  const [programmeOwn] = await createTransfers(db.pool, [
    { id: transferIdFor('bucket-test', 'programme'), debitAccountId: programmeAccountsOf(m.id).expired, creditAccountId: programmeAccountsOf(other.id).lapsed, amountFen: 3, code: 'adjustment' },
  ]);
  assert.equal(programmeOwn!.status, 'created');
  await assert.rejects(
    db.pool.query("INSERT INTO ledger_accounts (account_id, merchant_id, kind, debits_must_not_exceed_credits, credits_must_not_exceed_debits) VALUES (ledger_account_id($1, 'expired'), $1, 'expired', false, false)", [PROGRAMME_ANCHOR_BASE + 1_000_000]),
    /neither a merchant nor a programme anchor/,
  );
  await assert.rejects(db.pool.query("INSERT INTO merchants (merchant_id) VALUES ($1)", [PROGRAMME_ANCHOR_BASE]), /merchants_id_below_programme_anchors|null value/);
  await assertLedgerInvariants(db.pool);
});
