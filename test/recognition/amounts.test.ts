import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatAmountInWords, parseAmountInWords } from '../../src/recognition/amount-words.ts';
import { formatFenAsYuan, parseYuanToFen } from '../../src/shared/money.ts';

test('amounts in figures become fen without floating point', () => {
  assert.equal(parseYuanToFen('123.45'), 12345);
  assert.equal(parseYuanToFen('0.1'), 10);
  assert.equal(parseYuanToFen('¥1,234.05'), 123405);
  assert.equal(parseYuanToFen('12'), 1200);
  assert.equal(parseYuanToFen('-3.50'), -350);
  // 0.29 * 100 is 28.999999999999996 in floating point.
  assert.equal(parseYuanToFen('0.29'), 29);
  for (const bad of ['', '1.234', 'abc', '12.3.4', '1e3']) assert.equal(parseYuanToFen(bad), null, bad);
});

test('amounts in capital numerals (大写) parse to fen', () => {
  assert.equal(parseAmountInWords('壹佰贰拾叁元肆角伍分'), 12345);
  assert.equal(parseAmountInWords('叁仟元整'), 300000);
  assert.equal(parseAmountInWords('壹仟零贰拾陆元柒角叁分'), 102673);
  assert.equal(parseAmountInWords('拾元整'), 1000);
  assert.equal(parseAmountInWords('伍角'), 50);
  assert.equal(parseAmountInWords('壹万零伍元零捌分'), 1000508);
  assert.equal(parseAmountInWords('人民币贰佰圆整'), 20000);
  assert.equal(parseAmountInWords('零元整'), 0);
});

test('malformed capital amounts are refused, not guessed', () => {
  for (const bad of ['', '壹贰元', '元壹佰', '壹佰贰拾叁', '壹佰元伍', '123元', '叁角元']) assert.equal(parseAmountInWords(bad), null, bad);
});

test('formatting and parsing capital amounts round-trip for any amount', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 99_999_999 }), (fen) => {
      assert.equal(parseAmountInWords(formatAmountInWords(fen)), fen);
      assert.equal(parseYuanToFen(formatFenAsYuan(fen)), fen);
    }),
    { numRuns: 2000 },
  );
});
