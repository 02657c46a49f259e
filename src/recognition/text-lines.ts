import type { CtcSteps } from './ocr/ctc.ts';

/** A piece of text with its horizontal extent and vertical centre, from OCR or from a PDF text layer. */
export interface TextPiece {
  readonly text: string;
  readonly confidence: number;
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
  /** dy/dx of the text, where the reader measured it. */
  readonly slope?: number;
  /** The recogniser's steps behind `text` (OCR only), for reading a field again with its alphabet. */
  readonly steps?: CtcSteps;
}

export interface TextLine {
  /** Left to right. */
  readonly pieces: readonly TextPiece[];
  /** The pieces' normalised text joined by single spaces. */
  readonly text: string;
}

const FULL_WIDTH = /[\uff01-\uff5e]/g;

/** Full-width ASCII (：（）０-９) to half-width and no inner spaces: labels and numbers then match one way. */
export function normaliseText(text: string): string {
  return text.replace(FULL_WIDTH, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0)).replace(/\s+/g, '');
}

interface OpenLine {
  /** Creation order: of two lines that fit a piece equally well, the older one takes it. */
  readonly index: number;
  readonly pieces: TextPiece[];
  last: TextPiece;
  readonly height: number;
}

const centreY = (p: TextPiece): number => (p.y0 + p.y1) / 2;
const centreX = (p: TextPiece): number => (p.x0 + p.x1) / 2;

/**
 * The open lines by where their last piece's centre lies, in bands of one typical text height: a
 * piece looks only at the bands its reach covers. Lines move between bands as they grow.
 */
class Bands {
  private readonly bands = new Map<number, OpenLine[]>();

  constructor(private readonly size: number) {}

  private band(y: number): number {
    return Math.floor(y / this.size);
  }

  add(line: OpenLine): void {
    const key = this.band(centreY(line.last));
    const band = this.bands.get(key);
    if (band) band.push(line);
    else this.bands.set(key, [line]);
  }

  remove(line: OpenLine): void {
    const key = this.band(centreY(line.last));
    const band = this.bands.get(key)!;
    band.splice(band.indexOf(line), 1);
    if (band.length === 0) this.bands.delete(key);
  }

  /** Every line whose last piece's centre is within [from, to] (and perhaps a few just outside). */
  *within(from: number, to: number): Generator<OpenLine> {
    const first = this.band(from);
    const last = this.band(to);
    // a very tall piece spans more bands than there are lines: walking the lines is then shorter
    if (last - first + 1 > this.bands.size) {
      for (const [key, band] of this.bands) if (key >= first && key <= last) yield* band;
      return;
    }
    for (let key = first; key <= last; key++) {
      const band = this.bands.get(key);
      if (band) yield* band;
    }
  }
}

/**
 * Groups pieces into lines, left to right: a piece joins the line whose last piece (its nearest
 * neighbour to the left), extended along its slope, meets the piece's centre within half a text
 * height. Chaining neighbour to neighbour follows lines that are not level, and not even parallel
 * on a phone photo held at an angle. A piece too short to have a slope of its own borrows its
 * neighbour's.
 *
 * A piece looks only at the open lines whose last piece's centre is within half its height plus the
 * most any slope on the page can carry across the page's width (Bands): a PDF's level text (no
 * slopes) looks at about one band, so grouping costs O(n log n) (the sort) rather than
 * O(pieces × lines), with the same lines as comparing every piece with every line.
 */
export function groupIntoLines(pieces: readonly TextPiece[]): TextLine[] {
  const sorted = [...pieces].sort((a, b) => a.x0 - b.x0 || a.y0 - b.y0);
  const lines: OpenLine[] = [];
  const between = (a: TextPiece, b: TextPiece): number => (a.slope === undefined ? (b.slope ?? 0) : b.slope === undefined ? a.slope : (a.slope + b.slope) / 2);
  let maxSlope = 0;
  let minX = Infinity;
  let maxX = -Infinity;
  for (const p of sorted) {
    maxSlope = Math.max(maxSlope, Math.abs(p.slope ?? 0));
    minX = Math.min(minX, centreX(p));
    maxX = Math.max(maxX, centreX(p));
  }
  // the furthest a line's slope can move its prediction between two pieces of this page
  const drift = maxSlope * (maxX - minX);
  const heights = sorted.map((p) => p.y1 - p.y0).filter((h) => h > 0).sort((a, b) => a - b);
  const open = new Bands(heights[heights.length >> 1] ?? 1);
  for (const piece of sorted) {
    const height = piece.y1 - piece.y0;
    // a hair wider than the bound: the window only narrows the search, the test below decides, and
    // rounding must not drop a line the test would have taken
    const reach = (height * 0.5 + drift) * 1.001 + 1e-9;
    let best: OpenLine | undefined;
    let bestOff = Infinity;
    for (const line of open.within(centreY(piece) - reach, centreY(piece) + reach)) {
      if (line.last.x1 > piece.x0 + height) continue;
      const run = centreX(piece) - centreX(line.last);
      const off = Math.abs(centreY(line.last) + run * between(line.last, piece) - centreY(piece));
      if (off < Math.min(height, line.height) * 0.5 && (off < bestOff || (off === bestOff && line.index < best!.index))) {
        best = line;
        bestOff = off;
      }
    }
    if (best) {
      open.remove(best);
      best.pieces.push(piece);
      best.last = piece;
    } else {
      best = { index: lines.length, pieces: [piece], last: piece, height };
      lines.push(best);
    }
    open.add(best);
  }
  // Top to bottom by where each line crosses the page's left edge.
  const order = (l: OpenLine): number => centreY(l.pieces[0]!) - centreX(l.pieces[0]!) * (l.pieces[0]!.slope ?? 0);
  return lines
    .sort((a, b) => order(a) - order(b))
    .map((l) => {
      const sorted = l.pieces.sort((a, b) => a.x0 - b.x0).map((p) => ({ ...p, text: normaliseText(p.text) }));
      // Touching pieces (a PDF's text runs, split mid-word) are one piece; a gap separates fields.
      const merged: TextPiece[] = [];
      for (const p of sorted) {
        const last = merged.at(-1);
        if (last && p.x0 - last.x1 < 0.3 * Math.min(l.height, p.y1 - p.y0)) {
          merged[merged.length - 1] = { text: last.text + p.text, confidence: Math.min(last.confidence, p.confidence), x0: last.x0, x1: Math.max(last.x1, p.x1), y0: Math.min(last.y0, p.y0), y1: Math.max(last.y1, p.y1) };
        } else {
          merged.push(p);
        }
      }
      return { pieces: merged, text: merged.map((p) => p.text).join(' ') };
    });
}
