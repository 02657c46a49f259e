import type { Box, GreyImage } from './ocr/grey-image.ts';

/**
 * Where on a page a QR code may be: a square of cells that are all busy (about half dark, with dark
 * and light alternating along rows and columns). Lines of text are busy too, but in bands with gaps
 * between lines and words, so their blobs are long or full of holes. Pure: the decoder crops and
 * enlarges each region, which reads the small code of a far shot that the whole page does not.
 */

// Cells across the page's long side: a fiscal bill's code spans 5–10 of them.
const CELLS_ON_LONG_SIDE = 70;
// Grey levels of spread a cell needs: a code's modules are black on white even when blurred.
const MIN_DEVIATION = 30;
const MIN_DARK_SHARE = 0.2;
const MAX_DARK_SHARE = 0.8;
// Dark/light changes per row (and per column) of a cell: a code's modules are a sixth of a cell or so.
const MIN_CHANGES_PER_LINE = 0.8;
const MIN_SIDE_CELLS = 4;
const MAX_ASPECT = 1.5;
const MIN_FILL = 0.6;
const MAX_REGIONS = 3;

/**
 * A cell is busy when it has contrast (ink on paper, not a plain table or paper with noise) and, split
 * at its own mean, changes from dark to light often along its rows and its columns.
 */
function busyCells(page: GreyImage, cell: number, columns: number, rows: number): Uint8Array {
  const busy = new Uint8Array(columns * rows);
  const { width, height, data } = page;
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      const x0 = column * cell;
      const y0 = row * cell;
      const x1 = Math.min(width, x0 + cell);
      const y1 = Math.min(height, y0 + cell);
      const n = (x1 - x0) * (y1 - y0);
      let sum = 0;
      let squares = 0;
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const v = data[y * width + x]!;
          sum += v;
          squares += v * v;
        }
      }
      const mean = sum / n;
      if (squares / n - mean * mean < MIN_DEVIATION * MIN_DEVIATION) continue;
      let dark = 0;
      let across = 0;
      let down = 0;
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const ink = data[y * width + x]! < mean;
          if (ink) dark++;
          if (x > x0 && ink !== data[y * width + x - 1]! < mean) across++;
          if (y > y0 && ink !== data[(y - 1) * width + x]! < mean) down++;
        }
      }
      const share = dark / n;
      busy[row * columns + column] = Number(share >= MIN_DARK_SHARE && share <= MAX_DARK_SHARE && across >= MIN_CHANGES_PER_LINE * (y1 - y0) && down >= MIN_CHANGES_PER_LINE * (x1 - x0));
    }
  }
  return busy;
}

interface Blob {
  readonly cells: number;
  readonly c0: number;
  readonly r0: number;
  readonly c1: number;
  readonly r1: number;
}

function blobs(busy: Uint8Array, columns: number, rows: number): Blob[] {
  const seen = new Uint8Array(busy.length);
  const found: Blob[] = [];
  for (let start = 0; start < busy.length; start++) {
    if (!busy[start] || seen[start]) continue;
    seen[start] = 1;
    const stack = [start];
    let cells = 0;
    let [c0, r0, c1, r1] = [columns, rows, 0, 0];
    while (stack.length > 0) {
      const at = stack.pop()!;
      const column = at % columns;
      const row = (at - column) / columns;
      cells++;
      [c0, r0, c1, r1] = [Math.min(c0, column), Math.min(r0, row), Math.max(c1, column + 1), Math.max(r1, row + 1)];
      for (const [dc, dr] of [[1, 0], [-1, 0], [0, 1], [0, -1]] as const) {
        const c = column + dc;
        const r = row + dr;
        const next = r * columns + c;
        if (c >= 0 && c < columns && r >= 0 && r < rows && busy[next] && !seen[next]) {
          seen[next] = 1;
          stack.push(next);
        }
      }
    }
    found.push({ cells, c0, r0, c1, r1 });
  }
  return found;
}

/** Up to three regions that may hold a QR code, largest first, each with a quiet zone around it. */
export function qrRegions(page: GreyImage): Box[] {
  const cell = Math.max(4, Math.ceil(Math.max(page.width, page.height) / CELLS_ON_LONG_SIDE));
  const columns = Math.ceil(page.width / cell);
  const rows = Math.ceil(page.height / cell);
  const squares = blobs(busyCells(page, cell, columns, rows), columns, rows).filter((b) => {
    const [w, h] = [b.c1 - b.c0, b.r1 - b.r0];
    return Math.min(w, h) >= MIN_SIDE_CELLS && Math.max(w, h) <= MAX_ASPECT * Math.min(w, h) && b.cells >= MIN_FILL * w * h;
  });
  return squares
    .sort((a, b) => b.cells - a.cells)
    .slice(0, MAX_REGIONS)
    .map((b) => {
      const margin = Math.ceil(0.25 * Math.max(b.c1 - b.c0, b.r1 - b.r0)) * cell;
      return { x0: Math.max(0, b.c0 * cell - margin), y0: Math.max(0, b.r0 * cell - margin), x1: Math.min(page.width, b.c1 * cell + margin), y1: Math.min(page.height, b.r1 * cell + margin) };
    });
}
