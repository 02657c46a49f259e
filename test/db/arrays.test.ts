import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { intArray, textArray } from '../../src/db/arrays.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase({ migrated: false });
});
after(async () => db.close());

test('text arrays round-trip any string through PostgreSQL', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.option(fc.string({ unit: 'grapheme' }), { nil: null }), { maxLength: 20 }), async (values) => {
      const clean = values.map((v) => (v === null ? null : v.replaceAll('\u0000', '')));
      const { rows } = await db.pool.query<{ a: (string | null)[] }>('SELECT $1::text[] AS a', [textArray(clean)]);
      assert.deepEqual(rows[0]!.a, clean);
    }),
    { numRuns: 100 },
  );
});

test('integer arrays round-trip and refuse non-integers', async () => {
  const { rows } = await db.pool.query<{ a: string[] }>('SELECT $1::bigint[]::text[] AS a', [intArray([1, null, -5, Number.MAX_SAFE_INTEGER])]);
  assert.deepEqual(rows[0]!.a, ['1', null, '-5', String(Number.MAX_SAFE_INTEGER)]);
  assert.throws(() => intArray([1.5]), TypeError);
});
