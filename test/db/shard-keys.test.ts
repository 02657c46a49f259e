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
  assert.match(plan, /create_distributed_table\('payments', 'merchant_id'\);/);
  assert.match(plan, /create_distributed_table\('claims', 'merchant_id', colocate_with => 'payments'\)/);
  assert.match(plan, /create_distributed_table\('credit_lots', 'merchant_id'/);
  assert.match(plan, /create_distributed_table\('ledger_accounts', 'merchant_id'/);
  assert.match(plan, /create_distributed_table\('ledger_transfers', 'merchant_id'/);
  assert.match(plan, /create_reference_table\('rulesets'\)/);
  assert.match(plan, /create_distributed_table\('trade_numbers', 'trade_no'\)/);
  assert.doesNotMatch(plan, /Problems to fix first/);
});
