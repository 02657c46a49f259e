import assert from 'node:assert/strict';
import { test } from 'node:test';
import { entryBehindReading } from '../../src/recognition/lexicon.ts';

/** Steps for a reading, one a character; `also` adds a candidate behind the character at an index. */
function stepsFor(reading: string, also: Record<number, string> = {}) {
  const candidates = [...reading].map((char, i) => [{ char, probability: 0.6 }, ...(also[i] ? [{ char: also[i]!, probability: 0.2 }] : [])]);
  return { steps: { candidates, emittedAt: candidates.map((_, i) => i) }, offset: 0 };
}

test('a reading is taken for the entry its steps back, and only then', () => {
  const names = ['诊察费', '诊疗费', '西药费'];
  // 察 was the second candidate behind 痛
  assert.equal(entryBehindReading('诊痛费', stepsFor('诊痛费', { 1: '察' }), names), '诊察费');
  // nothing behind 典: a short name is not guessed
  assert.equal(entryBehindReading('西药典', stepsFor('西药典'), names), null);
  // both 察 and 疗 behind 痛: two entries fit equally
  const both = stepsFor('诊痛费');
  both.steps.candidates[1]!.push({ char: '察', probability: 0.2 }, { char: '疗', probability: 0.1 });
  assert.equal(entryBehindReading('诊痛费', both, names), null);
  // an entry is left as it is
  assert.equal(entryBehindReading('诊察费', stepsFor('诊察费'), names), null);
});

test('a long name may differ once where the steps do not back it', () => {
  const types = ['城乡居民基本医疗保险', '职工基本医疗保险'];
  assert.equal(entryBehindReading('城多划民基本医疗保量', stepsFor('城多划民基本医疗保量', { 1: '乡', 9: '险' }), types), '城乡居民基本医疗保险');
  assert.equal(entryBehindReading('城多划民基本医疗保量', stepsFor('城多划民基本医疗保量', { 1: '乡' }), types), null);
  // the reading at an offset in its piece
  const piece = stepsFor('类型:城多居民基本医疗保险', { 4: '乡' });
  assert.equal(entryBehindReading('城多居民基本医疗保险', { ...piece, offset: 3 }, types), '城乡居民基本医疗保险');
});
