import type { GreyImage } from './ocr/grey-image.ts';

const SAMPLE_SIDE = 800;
const MAX_ANGLE_DEG = 10;
// Rows above and below (in sample pixels) that must be paper for a pixel to count as a stroke.
const STROKE_CLEARANCE_PX = 2;

/** Dark pixels (ink) of a downsampled page, by comparison with the local mean so shading does not count as ink. */
function inkPoints(image: GreyImage): { xs: Float32Array; ys: Float32Array } {
  const step = Math.max(1, Math.ceil(Math.max(image.width, image.height) / SAMPLE_SIDE));
  const w = Math.floor(image.width / step);
  const h = Math.floor(image.height / step);
  const small = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) small[y * w + x] = image.data[y * step * image.width + x * step]!;
  const integral = new Float64Array((w + 1) * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) {
      row += small[y * w + x]!;
      integral[(y + 1) * (w + 1) + x + 1] = integral[y * (w + 1) + x + 1]! + row;
    }
  }
  const r = 12;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let y = 0; y < h; y++) {
    const y0 = Math.max(0, y - r);
    const y1 = Math.min(h, y + r + 1);
    for (let x = 0; x < w; x++) {
      const x0 = Math.max(0, x - r);
      const x1 = Math.min(w, x + r + 1);
      const sum = integral[y1 * (w + 1) + x1]! - integral[y0 * (w + 1) + x1]! - integral[y1 * (w + 1) + x0]! + integral[y0 * (w + 1) + x0]!;
      const mean = sum / ((x1 - x0) * (y1 - y0));
      const v = small[y * w + x]!;
      // Thin dark detail with paper above and below: text strokes and rules, not the straight edge
      // between the sheet and a dark desk, which would otherwise dominate the profile.
      const above = y >= STROKE_CLEARANCE_PX ? small[(y - STROKE_CLEARANCE_PX) * w + x]! : 255;
      const below = y + STROKE_CLEARANCE_PX < h ? small[(y + STROKE_CLEARANCE_PX) * w + x]! : 255;
      if (v < mean * 0.8 && v < 170 && above > v + 40 && below > v + 40) {
        xs.push(x);
        ys.push(y);
      }
    }
  }
  return { xs: Float32Array.from(xs), ys: Float32Array.from(ys) };
}

function profileSharpness(xs: Float32Array, ys: Float32Array, degrees: number, bins: Int32Array): number {
  const a = (degrees * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const offset = bins.length / 2;
  bins.fill(0);
  for (let i = 0; i < xs.length; i++) {
    const bin = Math.round(ys[i]! * cos - xs[i]! * sin + offset);
    if (bin >= 0 && bin < bins.length) bins[bin]!++;
  }
  let score = 0;
  for (let i = 0; i < bins.length; i++) score += bins[i]! * bins[i]!;
  return score;
}

/**
 * The angle (degrees, clockwise) by which text lines slope down to the right, from the projection
 * profile of the ink: rows of text give the sharpest profile when projected along their slope.
 */
export function estimateSkewDegrees(image: GreyImage): number {
  const { xs, ys } = inkPoints(image);
  if (xs.length < 200) return 0;
  const bins = new Int32Array(4 * SAMPLE_SIDE);
  let best = 0;
  let bestScore = -1;
  const search = (from: number, to: number, step: number): void => {
    for (let a = from; a <= to + 1e-9; a += step) {
      const score = profileSharpness(xs, ys, a, bins);
      if (score > bestScore) {
        bestScore = score;
        best = a;
      }
    }
  };
  search(-MAX_ANGLE_DEG, MAX_ANGLE_DEG, 0.5);
  const coarse = best;
  search(coarse - 0.5, coarse + 0.5, 0.1);
  return Math.round(best * 10) / 10;
}

