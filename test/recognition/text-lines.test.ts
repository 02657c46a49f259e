/**
 * Grouping text into lines at any volume: a PDF of 170,000 one-character runs once held the only
 * recognition thread for a minute (issue 21, High 2). Grouping must cost O(n log n) and still give
 * the lines the all-pairs comparison gave.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { groupIntoLines, type TextPiece } from '../../src/recognition/text-lines.ts';

/** The all-pairs grouping the banded one replaced: every piece compared with every open line. */
function groupAllPairs(pieces: readonly TextPiece[]): string[][] {
  const sorted = [...pieces].sort((a, b) => a.x0 - b.x0 || a.y0 - b.y0);
  const lines: { pieces: TextPiece[]; last: TextPiece; height: number }[] = [];
  const cy = (p: TextPiece): number => (p.y0 + p.y1) / 2;
  const cx = (p: TextPiece): number => (p.x0 + p.x1) / 2;
  const between = (a: TextPiece, b: TextPiece): number => (a.slope === undefined ? (b.slope ?? 0) : b.slope === undefined ? a.slope : (a.slope + b.slope) / 2);
  for (const piece of sorted) {
    const height = piece.y1 - piece.y0;
    let best: (typeof lines)[number] | undefined;
    let bestOff = Infinity;
    for (const line of lines) {
      if (line.last.x1 > piece.x0 + height) continue;
      const off = Math.abs(cy(line.last) + (cx(piece) - cx(line.last)) * between(line.last, piece) - cy(piece));
      if (off < Math.min(height, line.height) * 0.5 && off < bestOff) {
        best = line;
        bestOff = off;
      }
    }
    if (best) {
      best.pieces.push(piece);
      best.last = piece;
    } else {
      lines.push({ pieces: [piece], last: piece, height });
    }
  }
  return lines.map((l) => l.pieces.map((p) => p.text));
}

/** Which pieces (by text, each unique) share a line: the grouping, independent of line order and merging. */
function partition(groups: string[][]): string[] {
  return groups.map((g) => [...g].sort().join('|')).sort();
}

const pieceArb = (withSlopes: boolean) =>
  fc.record({
    x0: fc.integer({ min: 0, max: 2000 }),
    width: fc.integer({ min: 1, max: 400 }),
    y0: fc.integer({ min: 0, max: 1500 }),
    height: fc.integer({ min: 4, max: 60 }),
    slope: withSlopes ? fc.option(fc.double({ min: -0.08, max: 0.08, noNaN: true }), { nil: undefined }) : fc.constant(undefined),
  });

for (const withSlopes of [false, true]) {
  test(`banded grouping puts the same pieces on the same lines as the all-pairs one (${withSlopes ? 'OCR pieces with slopes' : 'level PDF runs'})`, () => {
    fc.assert(
      fc.property(fc.array(pieceArb(withSlopes), { maxLength: 120 }), (raw) => {
        // unique texts that never merge into one another's: each piece is told apart in the result
        const pieces: TextPiece[] = raw.map((r, i) => ({ text: `<${i}>`, confidence: 1, x0: r.x0, x1: r.x0 + r.width, y0: r.y0, y1: r.y0 + r.height, ...(r.slope === undefined ? {} : { slope: r.slope }) }));
        const banded = groupIntoLines(pieces).map((l) => l.pieces.flatMap((p) => p.text.match(/<\d+>/g) ?? []));
        assert.deepEqual(partition(banded), partition(groupAllPairs(pieces)));
      }),
      { numRuns: 400 },
    );
  });
}

test('80,000 one-character runs, each on a row of its own, group in seconds, not minutes', () => {
  // the all-pairs grouping took 25 s for 60,000 of these on the CI machine (quadratic: 80,000 take ~45 s)
  const pieces: TextPiece[] = Array.from({ length: 80_000 }, (_, i) => ({ text: 'x', confidence: 1, x0: (i * 7919) % 500, x1: ((i * 7919) % 500) + 5, y0: i * 10, y1: i * 10 + 8 }));
  const started = performance.now();
  const lines = groupIntoLines(pieces);
  const seconds = (performance.now() - started) / 1000;
  assert.equal(lines.length, 80_000);
  assert.ok(seconds < 10, `grouping took ${seconds.toFixed(1)} s`);
});
