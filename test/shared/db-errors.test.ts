import assert from 'node:assert/strict';
import { test } from 'node:test';
import { violates } from '../../src/db/errors.ts';

test('a violation is recognised by the schema name of its constraint, from PostgreSQL and from a Citus shard', () => {
  assert.equal(violates({ code: '23505', constraint: 'catalogue_items_sku_key', message: 'duplicate key value violates unique constraint "catalogue_items_sku_key"' }, 'catalogue_items_sku_key'), true);
  assert.equal(violates({ code: '23505', constraint: 'merchant_wallets_pkey' }, 'merchant_identities_pkey'), false);
  // as Citus relays it (seen on Citus 13.2): no constraint field, the shard's copy in the message
  const citus = { code: '23505', message: 'duplicate key value violates unique constraint "catalogue_items_sku_key_102712"' };
  assert.equal(violates(citus, 'catalogue_items_sku_key'), true);
  assert.equal(violates(citus, 'catalogue_items_sku'), false);
  assert.equal(violates({ message: 'duplicate key value violates unique constraint "catalogue_items_sku_key_extra"' }, 'catalogue_items_sku_key'), false);
  assert.equal(violates(new Error('no constraint'), 'catalogue_items_sku_key'), false);
  assert.equal(violates(null, 'catalogue_items_sku_key'), false);
});
