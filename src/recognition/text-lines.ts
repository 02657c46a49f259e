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

/**
 * Groups pieces into lines, left to right: a piece joins the line whose last piece (its nearest
 * neighbour to the left), extended along its slope, meets the piece's centre within half a text
 * height. Chaining neighbour to neighbour follows lines that are not level, and not even parallel
 * on a phone photo held at an angle. A piece too short to have a slope of its own borrows its
 * neighbour's.
 */
export function groupIntoLines(pieces: readonly TextPiece[]): TextLine[] {
  const sorted = [...pieces].sort((a, b) => a.x0 - b.x0 || a.y0 - b.y0);
  const lines: { pieces: TextPiece[]; last: TextPiece; height: number }[] = [];
  const centreY = (p: TextPiece): number => (p.y0 + p.y1) / 2;
  const centreX = (p: TextPiece): number => (p.x0 + p.x1) / 2;
  const between = (a: TextPiece, b: TextPiece): number => (a.slope === undefined ? (b.slope ?? 0) : b.slope === undefined ? a.slope : (a.slope + b.slope) / 2);
  for (const piece of sorted) {
    const height = piece.y1 - piece.y0;
    let best: (typeof lines)[number] | undefined;
    let bestOff = Infinity;
    for (const line of lines) {
      if (line.last.x1 > piece.x0 + height) continue;
      const run = centreX(piece) - centreX(line.last);
      const off = Math.abs(centreY(line.last) + run * between(line.last, piece) - centreY(piece));
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
  // Top to bottom by where each line crosses the page's left edge.
  const order = (l: (typeof lines)[number]): number => centreY(l.pieces[0]!) - centreX(l.pieces[0]!) * (l.pieces[0]!.slope ?? 0);
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
