import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { orderedTransferIdFor, transferIdFor } from '../../src/ledger/ids.ts';

// expectations worked by hand from `printf 'earn\x1fT1\x1fpayer' | sha1sum` and, for the ordered id,
// `printf '1795654923004\x1fearn\x1fT1\x1fpayer' | sha1sum` with 1795654923004 = 0x01a2155fb2fc ms
test('a transfer id is the SHA-1 of its parts with the version 5 and variant bits set', () => {
  assert.equal(transferIdFor('earn', 'T1', 'payer'), 'f31ee451-080b-5439-9732-0f648212d6fb');
});

test('an ordered transfer id leads with the 48-bit milliseconds of its time, then version 8 and the hash', () => {
  assert.equal(orderedTransferIdFor(new Date('2026-11-26T01:02:03.004Z'), 'earn', 'T1', 'payer'), '01a2155f-b2fc-8712-8a32-2caef26652ac');
});

test('ordered transfer ids sort as their times, and differ with any part', () => {
  const ms = fc.integer({ min: 0, max: 2 ** 48 - 1 });
  fc.assert(
    fc.property(ms, ms, fc.string(), fc.string(), (a, b, part, other) => {
      const [x, y] = [orderedTransferIdFor(new Date(a), 'earn', part), orderedTransferIdFor(new Date(b), 'earn', part)];
      // PostgreSQL orders uuids by their bytes, as lowercase hex text orders
      if (a < b) assert.ok(x < y, `${x} < ${y}`);
      if (a === b) assert.equal(x, y);
      assert.notEqual(x, orderedTransferIdFor(new Date(a), 'collect', part));
      if (other !== part) assert.notEqual(x, orderedTransferIdFor(new Date(a), 'earn', other));
    }),
  );
});

test('a time outside 48 bits of milliseconds is refused, not wrapped', () => {
  assert.throws(() => orderedTransferIdFor(new Date(-1), 'earn'), RangeError);
  assert.throws(() => orderedTransferIdFor(new Date(2 ** 48), 'earn'), RangeError);
  assert.throws(() => orderedTransferIdFor(new Date(Number.NaN), 'earn'), RangeError);
});
