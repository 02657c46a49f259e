/**
 * DESIGN.md §4: a distributed database can serve the hot paths only if none of their queries spans
 * merchants. Every statement that enrolment, ingestion (earning, full days, a refund's claw-back, an
 * unenrolled payee), collection, a merchant's reads and a claim from photo to wallet send is recorded
 * and explained, with the ledger's planner settings; every scan of a merchant-owned table (or of one
 * of its partitions) must be narrowed by merchant_id, in its own condition or in the join that reaches it;
 * and none sends what Citus refuses on a distributed table (citusRefusals).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { PLACEMENTS, tableKeys } from '../../src/db/shard-plan.ts';
import { LEDGER_TRANSACTION_SETTINGS } from '../../src/ledger/store.ts';
import { importEnrolments } from '../../src/merchants/store.ts';
import { ingestPayments } from '../../src/payments/ingest.ts';
import { asOps } from '../support/app.ts';
import { createClaimsHarness, invoicePhoto, multipart, waitForClaim, type ClaimsHarness } from '../support/claims.ts';
import { earnAndCollect } from '../support/credit.ts';
import { enrolMerchants, enrolment, TEST_ID_HASH_KEY } from '../support/fixtures.ts';
import { notification, payerWallet } from '../support/payments.ts';

interface Statement {
  text: string;
  values: unknown[];
}

/** Whether the code that sent a statement is the tests' own (the first frame outside `pg`). */
function sentByTests(): boolean {
  const frames = (new Error().stack ?? '').split('\n').slice(3);
  const caller = frames.find((f) => !f.includes('node_modules') && !f.includes('(node:') && !f.includes(import.meta.filename));
  return caller?.includes('/test/') ?? false;
}

/** Records the first use of every distinct statement text the product sends through the `pg` module. */
function recordStatements(): { stop(): Statement[] } {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  const seen = new Map<string, Statement>();
  proto.query = function (this: unknown, ...args: unknown[]) {
    const [config, values] = args;
    const text = typeof config === 'string' ? config : (config as { text?: unknown } | null)?.text;
    if (typeof text === 'string' && !seen.has(text) && !sentByTests()) {
      seen.set(text, { text, values: Array.isArray(values) ? values : ((config as { values?: unknown[] }).values ?? []) });
    }
    return original.apply(this, args);
  };
  return {
    stop() {
      proto.query = original;
      return [...seen.values()];
    },
  };
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
  [condition: string]: unknown;
}

const OWN_CONDITIONS = ['Index Cond', 'Filter', 'Recheck Cond', 'TID Cond'];
/** An equality on merchant_id, either way round (`merchant_id = ANY (...)` included). */
const BY_MERCHANT = /\bmerchant_id = |= [\w.]*\bmerchant_id\b/;

/**
 * The merchant-owned tables a scan of this plan reads without narrowing by merchant_id in its own
 * condition. A join filter above a scan does not count: the scan under it still reads every merchant.
 * (A join reaches one merchant's rows through the inner scan's own index condition, parameterized by
 * the outer row.)
 */
function unscopedScans(node: PlanNode, owned: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  const relation = node['Relation Name'];
  const root = relation && node['Node Type'] !== 'ModifyTable' ? owned.get(relation) : undefined;
  const conditions = OWN_CONDITIONS.flatMap((k) => (typeof node[k] === 'string' ? [node[k]] : []));
  if (root && !conditions.some((c) => BY_MERCHANT.test(c))) found.push(`${node['Node Type']} on ${relation}`);
  for (const child of node.Plans ?? []) found.push(...unscopedScans(child, owned));
  return found;
}

/** Merchant-owned tables and every partition of one, by relation name, to the table's name. */
async function merchantOwnedRelations(pool: pg.Pool): Promise<Map<string, string>> {
  const owned = (await tableKeys(pool)).filter((t) => !PLACEMENTS[t.table] && t.hasMerchantId).map((t) => t.table);
  const { rows } = await pool.query<{ relname: string; root: string }>(
    `WITH RECURSIVE tree AS (
       SELECT c.oid, c.relname AS root, c.relname FROM pg_class c WHERE c.relname = ANY($1::text[]) AND c.relnamespace = current_schema()::regnamespace
       UNION ALL
       SELECT k.oid, t.root, k.relname FROM tree t JOIN pg_inherits i ON i.inhparent = t.oid JOIN pg_class k ON k.oid = i.inhrelid)
     SELECT relname, root FROM tree`,
    [owned],
  );
  return new Map(rows.map((r) => [r.relname, r.root]));
}

const DML = /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i;

/**
 * Reads that span merchants by what they are for, each a multi-shard read in a distributed database.
 * Listed with the reason; the test fails if one is no longer sent (the list must not outlive them).
 */
const ACROSS_MERCHANTS_BY_DESIGN: { statement: RegExp; why: string }[] = [
  {
    statement: /bit_count\(\('x' \|\| phash\)/,
    why: 'a re-photographed invoice is sought among every merchant\'s claims for a visit on the same day (claims_phash_by_visit); about 10,000 claims a day nationally',
  },
];

/** Every distributed table the plan makes (merchant-owned and global keys), for citusRefusals. */
function distributedTables(tables: { table: string; hasMerchantId: boolean }[]): string[] {
  return tables.filter((t) => (PLACEMENTS[t.table] ? PLACEMENTS[t.table]!.kind === 'global_key' : t.hasMerchantId)).map((t) => t.table);
}

const NOT_IMMUTABLE = /\b(now|clock_timestamp|statement_timestamp|transaction_timestamp|random|gen_random_uuid|timeofday)\s*\(/i;

/**
 * What Citus refuses in a statement on a distributed table: a row lock (FOR UPDATE/SHARE) not
 * narrowed to one merchant; a function that is not immutable in an upsert's SET, or a volatile one in
 * an UPDATE; a cast in a RETURNING list (to text, not immutable).
 */
function citusRefusals(statements: readonly { text: string }[], distributed: readonly string[]): string[] {
  const problems: string[] = [];
  for (const { text } of statements) {
    const flat = text.replace(/\s+/g, ' ');
    if (!distributed.some((table) => new RegExp(`\\b${table}\\b`).test(flat))) continue;
    const show = flat.slice(0, 140);
    if (/\bFOR (NO KEY )?(UPDATE|SHARE)\b/i.test(flat) && !/\bmerchant_id = \$\d+/.test(flat)) problems.push(`row lock across shards: ${show}`);
    const upsertSet = /\bDO UPDATE SET\b(.*)$/i.exec(flat)?.[1];
    if (upsertSet && NOT_IMMUTABLE.test(upsertSet)) problems.push(`function that is not immutable in an upsert's SET: ${show}`);
    if (/^\s*UPDATE\b/i.test(flat) && /\b(clock_timestamp|random|gen_random_uuid|timeofday)\s*\(/i.test(flat)) problems.push(`volatile function in an UPDATE: ${show}`);
    // the list ends at the statement's end or at the parenthesis closing a CTE
    const returning = /\bRETURNING\b([^()]*)/i.exec(flat)?.[1];
    if (returning && /::/.test(returning)) problems.push(`cast in a RETURNING list: ${show}`);
  }
  return problems;
}

let recorded: Statement[] = [];
let t: ClaimsHarness;
before(async () => {
  t = await createClaimsHarness();
});
after(async () => t.close());

test('the hot paths read and write one merchant at a time: no query scans a merchant-owned table unscoped', async () => {
  const recording = recordStatements();
  let statements: Statement[];
  try {
    const [a, b] = (await enrolMerchants(t.db.pool, 2)).map((m, i) => ({ id: m.id, walletUserId: enrolment(i + 1).walletUserId }));
    if (!a || !b) throw new Error('two merchants enrolled');
    const paidAt = new Date('2026-11-20T02:00:00Z');
    const pay = (m: { walletUserId: string }, tradeNo: string, payer: number, extra: Partial<Parameters<typeof notification>[0]> = {}) =>
      notification({ tradeNo, sellerId: m.walletUserId, buyerId: payerWallet(payer), gmtPayment: paidAt, ...extra });
    // a busy day for a (more payers than earn), a quiet one for b, a repeat payer and an unenrolled payee
    await ingestPayments(t.db.pool, [
      ...Array.from({ length: 12 }, (_, i) => pay(a, `S-A-${i}`, i)),
      pay(b, 'S-B-0', 100),
      pay(b, 'S-B-1', 100),
      notification({ tradeNo: 'S-X-0', sellerId: '2088999999999999', buyerId: payerWallet(7), gmtPayment: paidAt }),
    ]);
    // a refund of an earning trade claws its credit back
    await ingestPayments(t.db.pool, [pay(a, 'S-A-3', 3, { tradeStatus: 'TRADE_CLOSED', refundFeeFen: 1000, notifyTime: new Date('2026-11-20T05:00:00Z') })]);
    for (const m of [a, b]) {
      const collected = await t.app.inject({ method: 'POST', url: `/v1/merchants/${m.id}/credits:collect`, headers: asOps });
      assert.equal(collected.statusCode, 200, collected.body);
      for (const read of ['', '/balance', '/transfers?limit=5', '/credit-summary', '/signals']) {
        const res = await t.app.inject({ url: `/v1/merchants/${m.id}${read}`, headers: asOps });
        assert.equal(res.statusCode, 200, `${read}: ${res.body}`);
      }
    }
    // a claim, from the photo to the wallet (recognised, checked, decided, reserved, paid)
    const claimant = enrolment(3, { legalName: '张伟' });
    await importEnrolments(t.db.pool, [{ line: 2, input: claimant }], TEST_ID_HASH_KEY, { skipDuplicates: false });
    const c = (await t.db.pool.query<{ id: number }>('SELECT merchant_id AS id FROM merchant_wallets WHERE wallet_user_id = $1', [claimant.walletUserId])).rows[0];
    await earnAndCollect(t.db.pool, { id: c!.id, walletUserId: claimant.walletUserId }, 5, new Date(Date.now() - 40 * 86_400_000));
    const invoice = await invoicePhoto(7, claimant.legalName);
    const body = multipart([
      { field: 'merchantId', value: String(c!.id) },
      { field: 'invoice', filename: 'invoice.jpg', type: 'image/jpeg', bytes: invoice.image },
    ]);
    const submitted = await t.app.inject({ method: 'POST', url: '/v1/claims', headers: { ...asOps, ...body.headers }, payload: body.payload });
    assert.equal(submitted.statusCode, 201, submitted.body);
    assert.equal(await waitForClaim(t.db.pool, submitted.json().id, ['paid', 'rejected', 'in_review', 'photo_requested']), 'paid');
    assert.equal((await t.app.inject({ url: `/v1/claims?merchantId=${c!.id}`, headers: asOps })).statusCode, 200);
  } finally {
    statements = recording.stop();
    recorded = statements;
  }

  const owned = await merchantOwnedRelations(t.db.pool);
  const byDesign = ACROSS_MERCHANTS_BY_DESIGN.filter((d) => statements.some((s) => d.statement.test(s.text)));
  assert.deepEqual(byDesign, ACROSS_MERCHANTS_BY_DESIGN, 'every read listed as spanning merchants is still sent');
  const touching = statements.filter(
    (s) => DML.test(s.text) && !byDesign.some((d) => d.statement.test(s.text)) && [...new Set(owned.values())].some((table) => new RegExp(`\\b${table}\\b`).test(s.text)),
  );
  assert.ok(touching.length >= 15, `the scenario exercised the hot paths (${touching.length} statements on merchant-owned tables)`);
  const client = await t.db.pool.connect();
  const problems: string[] = [];
  try {
    await client.query(`BEGIN; ${LEDGER_TRANSACTION_SETTINGS}`);
    for (const s of touching) {
      const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>({ text: `EXPLAIN (FORMAT JSON) ${s.text}`, values: s.values });
      for (const scan of unscopedScans(rows[0]!['QUERY PLAN'][0].Plan, owned)) problems.push(`${scan}: ${s.text.replace(/\s+/g, ' ').slice(0, 160)}`);
    }
  } finally {
    await client.query('ROLLBACK').catch(() => {});
    client.release();
  }
  assert.deepEqual(problems, []);
});

test('the check names a scan that is not narrowed by merchant_id, and passes one that is', () => {
  const owned = new Map([
    ['payments_d20261120', 'payments'],
    ['credit_lots', 'credit_lots'],
  ]);
  const scan = (relation: string, conditions: Record<string, string> = {}): PlanNode => ({ 'Node Type': 'Seq Scan', 'Relation Name': relation, ...conditions });
  assert.deepEqual(unscopedScans(scan('payments_d20261120', { Filter: "(trade_no = 'T1')" }), owned), ['Seq Scan on payments_d20261120']);
  assert.deepEqual(unscopedScans(scan('payments_d20261120', { Filter: '(merchant_id = ANY ($1))' }), owned), []);
  assert.deepEqual(unscopedScans(scan('merchant_wallets', { Filter: "(wallet_user_id = '2088')" }), owned), [], 'a global-key table may be read by its own key');
  const join = (inner: PlanNode): PlanNode => ({ 'Node Type': 'Nested Loop', Plans: [scan('merchant_wallets'), inner] });
  assert.deepEqual(unscopedScans(join({ 'Node Type': 'Index Scan', 'Relation Name': 'credit_lots', 'Index Cond': '(merchant_id = w.merchant_id)' }), owned), [], 'a parameterized probe of one merchant');
  assert.deepEqual(
    unscopedScans({ 'Node Type': 'Nested Loop', 'Join Filter': '(l.merchant_id = w.merchant_id)', Plans: [scan('merchant_wallets'), scan('credit_lots')] }, owned),
    ['Seq Scan on credit_lots'],
    'a join filter on merchant_id over a whole-table scan still reads every merchant',
  );
  assert.deepEqual(unscopedScans({ 'Node Type': 'Index Scan', 'Relation Name': 'credit_lots', 'Index Cond': '(merchant_id IS NOT NULL)' }, owned), ['Index Scan on credit_lots']);
});

test('the hot paths send nothing Citus refuses on a distributed table', async () => {
  assert.ok(recorded.length >= 15, 'the scenario above recorded the hot paths');
  assert.deepEqual(citusRefusals(recorded, distributedTables(await tableKeys(t.db.pool))), []);
});

test('the Citus check names what Citus refuses, and passes what it takes', () => {
  const distributed = ['payments', 'claims', 'merchant_accrual', 'unmatched_payments'];
  const check = (text: string) => citusRefusals([{ text }], distributed);
  assert.deepEqual(check('SELECT * FROM merchant_accrual WHERE merchant_id = ANY($1::bigint[]) ORDER BY merchant_id FOR UPDATE'), [
    'row lock across shards: SELECT * FROM merchant_accrual WHERE merchant_id = ANY($1::bigint[]) ORDER BY merchant_id FOR UPDATE',
  ]);
  assert.deepEqual(check('SELECT * FROM claims WHERE merchant_id = $1 AND claim_id = $2 FOR UPDATE'), []);
  assert.deepEqual(check('SELECT * FROM hospitals WHERE hospital_id = ANY($1) FOR UPDATE'), [], 'not a distributed table');
  assert.equal(check('INSERT INTO payments (a) VALUES (1) ON CONFLICT (a) DO UPDATE SET b = excluded.b, updated_at = now()').length, 1);
  assert.deepEqual(check('INSERT INTO payments (a) VALUES (1) ON CONFLICT (a) DO UPDATE SET b = excluded.b, updated_at = excluded.updated_at'), []);
  assert.equal(check('UPDATE claims SET updated_at = clock_timestamp() WHERE merchant_id = $1').length, 1);
  assert.deepEqual(check('UPDATE claims SET updated_at = statement_timestamp() WHERE merchant_id = $1'), []);
  assert.equal(check('UPDATE unmatched_payments SET notify_id = notify_id WHERE trade_no = ANY($1) RETURNING history_day::text').length, 1);
  assert.deepEqual(check('UPDATE unmatched_payments SET notify_id = notify_id WHERE trade_no = ANY($1) RETURNING history_day'), []);
});
