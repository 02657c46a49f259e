/**
 * Finds the sheet of paper in a phone photo: white, unsaturated and the largest such region, on a
 * table that is darker or coloured. Works on a small RGB preview in blocks, so that text and the
 * QR code inside the sheet do not break it up.
 */

/** An RGB preview of the photo, long side at most PREVIEW_SIDE. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export type Point = readonly [number, number];

export interface BlockStats {
  readonly columns: number;
  readonly rows: number;
  /** Per block: the median paper-likeness (lowest channel less the colour's saturation) of its pixels. */
  readonly paper: Float32Array;
  /** Per block: the highest brightness (mean of the channels) of its pixels. */
  readonly brightness: Float32Array;
  /** Per block: the share of its pixels clipped white in every channel. */
  readonly clipped: Float32Array;
}

export interface SheetRegion {
  /** Preview blocks of the sheet (indices into BlockStats). */
  readonly blocks: readonly number[];
  /** Corners clockwise from top-left, in preview pixels. */
  readonly corners: readonly [Point, Point, Point, Point];
  /** The sheet's share of the frame's area. */
  readonly frameShare: number;
  /** No sheet stands apart: a scan, or paper filling the whole photo. */
  readonly wholeFrame: boolean;
}

export const PREVIEW_SIDE = 1000;
export const BLOCK_PX = 8;
// A sheet must cover at least this share of the frame to be told from a stray light object.
const MIN_SHEET_SHARE = 0.004;
// Bounding box this close to the frame's size in both directions: the frame is the sheet.
const WHOLE_FRAME_SPAN = 0.9;
// Below this spread of block values there is one surface only (blank paper, or a dark room).
const MIN_CONTRAST = 40;
// Growing the sheet: a neighbour block joins unless it is darker than this share of the paper
// reference it is reached from, or than this share of the brightest paper; the reference fades
// by REFERENCE_DECAY a block, as fast as light may fall off across a sheet.
const MIN_STEP_RATIO = 0.7;
const REFERENCE_DECAY = 0.97;
const MIN_PAPER_OF_SEED = 0.3;

export function blockStats(image: RgbImage): BlockStats {
  const columns = Math.ceil(image.width / BLOCK_PX);
  const rows = Math.ceil(image.height / BLOCK_PX);
  const paper = new Float32Array(columns * rows);
  const brightness = new Float32Array(columns * rows);
  const clipped = new Float32Array(columns * rows);
  const { width, height, data } = image;
  const values = new Uint8Array(BLOCK_PX * BLOCK_PX);
  for (let block = 0; block < paper.length; block++) {
    const bx = (block % columns) * BLOCK_PX;
    const by = Math.floor(block / columns) * BLOCK_PX;
    let n = 0;
    let bright = 0;
    let white = 0;
    for (let y = by; y < Math.min(height, by + BLOCK_PX); y++) {
      for (let x = bx; x < Math.min(width, bx + BLOCK_PX); x++) {
        const i = (y * width + x) * 3;
        const lo = Math.min(data[i]!, data[i + 1]!, data[i + 2]!);
        const hi = Math.max(data[i]!, data[i + 1]!, data[i + 2]!);
        values[n++] = Math.max(0, 2 * lo - hi);
        bright = Math.max(bright, (data[i]! + data[i + 1]! + data[i + 2]!) / 3);
        if (lo >= 250) white++;
      }
    }
    // The median: paper between the characters, not the greys at their edges nor the ink itself.
    paper[block] = values.subarray(0, n).sort()[n >> 1] ?? 0;
    brightness[block] = bright;
    clipped[block] = white / Math.max(1, n);
  }
  return { columns, rows, paper, brightness, clipped };
}

/** Otsu's threshold of values in 0–255. */
function otsu(values: Float32Array): number {
  const histogram = new Float64Array(256);
  for (const v of values) histogram[Math.max(0, Math.min(255, Math.round(v)))]!++;
  const total = values.length;
  let sum = 0;
  for (let i = 0; i < 256; i++) sum += i * histogram[i]!;
  let below = 0;
  let sumBelow = 0;
  let best = 0;
  let bestVariance = -1;
  for (let t = 0; t < 256; t++) {
    below += histogram[t]!;
    if (below === 0 || below === total) continue;
    sumBelow += t * histogram[t]!;
    const meanBelow = sumBelow / below;
    const meanAbove = (sum - sumBelow) / (total - below);
    const variance = below * (total - below) * (meanBelow - meanAbove) ** 2;
    if (variance > bestVariance) {
      bestVariance = variance;
      best = t;
    }
  }
  return best + 0.5;
}

function percentile(values: Float32Array, p: number): number {
  const sorted = Float32Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

/** The 4-neighbours of block `b` inside the grid. */
function neighbours(b: number, columns: number, count: number): number[] {
  const x = b % columns;
  return [x > 0 ? b - 1 : -1, x < columns - 1 ? b + 1 : -1, b - columns, b + columns].filter((n) => n >= 0 && n < count);
}

/**
 * The blocks reached from `seed` through neighbours not much darker than the paper seen just
 * before them. The reference follows light falling off across the sheet (a few percent per
 * block at most), while the step from paper to table is abrupt.
 */
function growSheet(stats: BlockStats, seed: number): number[] {
  const { columns, paper } = stats;
  const floor = paper[seed]! * MIN_PAPER_OF_SEED;
  const reference = new Float32Array(paper.length);
  const sheet: number[] = [];
  const stack = [seed];
  reference[seed] = paper[seed]!;
  while (stack.length > 0) {
    const b = stack.pop()!;
    sheet.push(b);
    for (const n of neighbours(b, columns, paper.length)) {
      if (reference[n]! > 0) continue;
      const value = paper[n]!;
      if (value < floor || value < reference[b]! * MIN_STEP_RATIO) continue;
      reference[n] = Math.max(value, reference[b]! * REFERENCE_DECAY);
      stack.push(n);
    }
  }
  return sheet;
}

/** The brightest block among the largest group of blocks above Otsu's threshold: surely paper. */
function seedBlock(stats: BlockStats): number {
  const threshold = otsu(stats.paper);
  const { columns, paper } = stats;
  const seen = new Uint8Array(paper.length);
  let best = { size: 0, seed: 0 };
  for (let start = 0; start < paper.length; start++) {
    if (seen[start] || paper[start]! < threshold) continue;
    let size = 0;
    let seed = start;
    const stack = [start];
    seen[start] = 1;
    while (stack.length > 0) {
      const b = stack.pop()!;
      size++;
      if (paper[b]! > paper[seed]!) seed = b;
      for (const n of neighbours(b, columns, paper.length)) {
        if (seen[n] || paper[n]! < threshold) continue;
        seen[n] = 1;
        stack.push(n);
      }
    }
    if (size > best.size) best = { size, seed };
  }
  return best.seed;
}

/** The corners of a convex blob: extreme along the diagonals, clockwise from top-left. */
function cornersOf(blocks: readonly number[], columns: number): [Point, Point, Point, Point] {
  let tl: Point = [Infinity, Infinity];
  let tr: Point = [-Infinity, Infinity];
  let br: Point = [-Infinity, -Infinity];
  let bl: Point = [Infinity, -Infinity];
  for (const b of blocks) {
    const x0 = (b % columns) * BLOCK_PX;
    const y0 = Math.floor(b / columns) * BLOCK_PX;
    for (const [x, y] of [[x0, y0], [x0 + BLOCK_PX, y0], [x0 + BLOCK_PX, y0 + BLOCK_PX], [x0, y0 + BLOCK_PX]] as const) {
      if (x + y < tl[0] + tl[1]) tl = [x, y];
      if (x - y > tr[0] - tr[1]) tr = [x, y];
      if (x + y > br[0] + br[1]) br = [x, y];
      if (y - x > bl[1] - bl[0]) bl = [x, y];
    }
  }
  return [tl, tr, br, bl];
}

function polygonArea(corners: readonly Point[]): number {
  let twice = 0;
  corners.forEach(([x, y], i) => {
    const [nx, ny] = corners[(i + 1) % corners.length]!;
    twice += x * ny - nx * y;
  });
  return Math.abs(twice) / 2;
}

/** The sheet in the preview, the whole frame when nothing stands apart, or null when no sheet is there. */
export function locateSheet(image: RgbImage, stats: BlockStats): SheetRegion | null {
  const frame: [Point, Point, Point, Point] = [[0, 0], [image.width, 0], [image.width, image.height], [0, image.height]];
  const all = Array.from(stats.paper.keys());
  if (percentile(stats.paper, 0.97) - percentile(stats.paper, 0.03) < MIN_CONTRAST) {
    return { blocks: all, corners: frame, frameShare: 1, wholeFrame: true };
  }
  const blocks = growSheet(stats, seedBlock(stats));
  const corners = cornersOf(blocks, stats.columns);
  const xs = corners.map((c) => c[0]);
  const ys = corners.map((c) => c[1]);
  const spanX = (Math.max(...xs) - Math.min(...xs)) / image.width;
  const spanY = (Math.max(...ys) - Math.min(...ys)) / image.height;
  if (spanX >= WHOLE_FRAME_SPAN && spanY >= WHOLE_FRAME_SPAN) return { blocks: all, corners: frame, frameShare: 1, wholeFrame: true };
  const frameShare = polygonArea(corners) / (image.width * image.height);
  if (frameShare < MIN_SHEET_SHARE) return null;
  return { blocks, corners, frameShare, wholeFrame: false };
}
