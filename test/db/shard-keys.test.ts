/**
 * DESIGN.md §4: every merchant-owned table is keyed by merchant_id, so that a distributed database
 * (the Citus model) can place each merchant's rows together; every other table says what it is
 * (src/db/shard-plan.ts). Read from the migrated database itself: a new table fails here until it is
 * classified, and a merchant-owned table whose keys lack merchant_id fails.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { keyProblems, PLACEMENTS, shardPlanSql, tableKeys } from '../../src/db/shard-plan.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
});
after(async () => db.close());

test('every merchant-owned table is keyed by merchant_id; every other table is classified', async () => {
  assert.deepEqual(keyProblems(await tableKeys(db.pool)), []);
});

test('the classification stays true: every listed table exists', async () => {
  const tables = new Set((await tableKeys(db.pool)).map((t) => t.table));
  for (const name of Object.keys(PLACEMENTS)) assert.ok(tables.has(name), `${name} is listed but does not exist`);
});

test('a table added without merchant_id in its key is named; the plan distributes the merchant-owned tables', async () => {
  const tables = await tableKeys(db.pool);
  const bad = [...tables, { table: 'merchant_widgets', hasMerchantId: true, keys: [['widget_id']] }, { table: 'mystery', hasMerchantId: false, keys: [['id']] }];
  assert.deepEqual(keyProblems(bad), ['merchant_widgets: unique key (widget_id) lacks merchant_id', 'mystery: has no merchant_id and is not classified (PLACEMENTS in src/db/shard-plan.ts)']);
  const plan = shardPlanSql(tables);
  const order = (pattern: RegExp) => plan.split('\n').findIndex((line) => pattern.test(line));
  assert.match(plan, /create_distributed_table\('merchants', 'merchant_id', shard_count => 32\);/);
  for (const table of ['payments', 'claims', 'credit_lots', 'ledger_accounts', 'ledger_transfers']) {
    assert.match(plan, new RegExp(`create_distributed_table\\('${table}', 'merchant_id', colocate_with => 'merchants'\\)`));
  }
  // the reminders before credit is lost: one row per lot and kind, beside the merchant's lots
  assert.match(plan, /create_distributed_table\('credit_reminders', 'merchant_id', colocate_with => 'merchants'\)/);
  // a claim's one appeal, beside the claim it references
  assert.match(plan, /create_distributed_table\('claim_appeals', 'merchant_id', colocate_with => 'merchants'\)/);
  // paid claims' audits: one row per drawn claim, beside the merchant's claims (a foreign key to them)
  assert.match(plan, /create_distributed_table\('claim_audits', 'merchant_id', colocate_with => 'merchants'\)/);
  assert.ok(order(/create_distributed_table\('claims'/) < order(/create_distributed_table\('claim_audits'/));
  // what the issuer said of a claim's bill, beside the claim; the answers and the day's checks, by the bill (global)
  assert.match(plan, /create_distributed_table\('claim_verifications', 'merchant_id', colocate_with => 'merchants'\)/);
  assert.ok(order(/create_distributed_table\('claims'/) < order(/create_distributed_table\('claim_verifications'/));
  assert.match(plan, /create_distributed_table\('invoice_verifications', 'invoice_number'\)/);
  assert.match(plan, /create_reference_table\('rulesets'\)/);
  assert.match(plan, /create_distributed_table\('trade_numbers', 'trade_no'\)/);
  // Citus's order: the anchor first, a table after the tables it references, a foreign key to a
  // reference table off while the tables are placed (else it makes them "Citus local tables")
  assert.ok(order(/create_distributed_table\('merchants'/) < order(/create_distributed_table\('claims'/));
  assert.ok(order(/create_distributed_table\('claims'/) < order(/create_distributed_table\('claim_events'/));
  assert.ok(order(/create_distributed_table\('claims'/) < order(/create_distributed_table\('payouts'/));
  assert.ok(order(/create_distributed_table\('claims'/) < order(/create_distributed_table\('claim_appeals'/));
  assert.ok(order(/DROP CONSTRAINT payments_ruleset_id_fkey/) < order(/create_distributed_table\('payments'/));
  assert.ok(order(/create_reference_table\('rulesets'\)/) < order(/ADD CONSTRAINT payments_ruleset_id_fkey\w* FOREIGN KEY \(ruleset_id\) REFERENCES rulesets/));
  assert.doesNotMatch(plan, /Problems to fix first/);
});

test('what Citus refuses is named before it is tried: a key without the distribution column, a transition-table trigger, a foreign key across placements', () => {
  const tables = [
    { table: 'merchants', hasMerchantId: true, keys: [['merchant_id']] },
    { table: 'invoice_claims', hasMerchantId: true, keys: [['invoice_code', 'invoice_number'], ['merchant_id', 'claim_id']] },
    { table: 'claims', hasMerchantId: true, keys: [['merchant_id', 'claim_id']], transitionTriggers: ['claims_check_batch'] },
    { table: 'audit_log', hasMerchantId: false, keys: [['audit_id']] },
    { table: 'payouts', hasMerchantId: true, keys: [['merchant_id', 'payout_id']], foreignKeys: [{ name: 'payouts_audit_fkey', references: 'audit_log', definition: 'FOREIGN KEY (audit_id) REFERENCES audit_log(audit_id)' }] },
    { table: 'catalogue_orders', hasMerchantId: true, keys: [['merchant_id', 'order_id']], foreignKeys: [{ name: 'orders_item_fkey', references: 'catalogue_items', definition: 'FOREIGN KEY (item_id) REFERENCES catalogue_items(item_id)' }] },
    { table: 'catalogue_items', hasMerchantId: false, keys: [['item_id']] },
  ];
  assert.deepEqual(keyProblems(tables), [
    'invoice_claims: unique key (merchant_id, claim_id) lacks invoice_number',
    'claims: trigger claims_check_batch reads a transition table, which Citus does not give a trigger on a shard',
    'payouts: foreign key payouts_audit_fkey to audit_log joins tables Citus places apart',
  ]);
});
