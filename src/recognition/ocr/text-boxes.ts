import type { Box } from './grey-image.ts';

export interface ScoredBox extends Box {
  readonly score: number;
  /** dy/dx of the text line inside the box, from the blob's second moments; null for blobs too short to tell. */
  readonly slope: number | null;
}

export interface TextBoxOptions {
  /** Pixels above this probability belong to text. */
  readonly binaryThreshold: number;
  /** Components whose mean probability is below this are noise. */
  readonly boxThreshold: number;
  /** DB shrinks text kernels during training; this grows them back (PaddleOCR's unclip_ratio). */
  readonly unclipRatio: number;
  readonly minSidePx: number;
}

export const DEFAULT_TEXT_BOX_OPTIONS: TextBoxOptions = { binaryThreshold: 0.3, boxThreshold: 0.5, unclipRatio: 1.6, minSidePx: 3 };

/**
 * Axis-aligned text boxes from a DB probability map. Boxes are axis-aligned because the image is
 * deskewed before detection, which also keeps crops cheap (no per-box warp).
 */
export function textBoxesFromProbabilities(
  probabilities: Float32Array,
  width: number,
  height: number,
  options: TextBoxOptions = DEFAULT_TEXT_BOX_OPTIONS,
): ScoredBox[] {
  const labels = new Int32Array(width * height);
  const stack = new Int32Array(width * height);
  const boxes: ScoredBox[] = [];
  let next = 0;
  for (let start = 0; start < labels.length; start++) {
    if (labels[start] !== 0 || probabilities[start]! <= options.binaryThreshold) continue;
    next++;
    let top = 0;
    stack[top++] = start;
    labels[start] = next;
    let x0 = width, y0 = height, x1 = 0, y1 = 0, sum = 0, count = 0;
    let sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    const visit = (n: number): void => {
      if (labels[n] === 0 && probabilities[n]! > options.binaryThreshold) {
        labels[n] = next;
        stack[top++] = n;
      }
    };
    while (top > 0) {
      const p = stack[--top]!;
      const x = p % width;
      const y = (p - x) / width;
      sum += probabilities[p]!;
      count++;
      sx += x;
      sy += y;
      sxx += x * x;
      syy += y * y;
      sxy += x * y;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      if (x > 0) visit(p - 1);
      if (x < width - 1) visit(p + 1);
      if (y > 0) visit(p - width);
      if (y < height - 1) visit(p + width);
    }
    const w = x1 - x0 + 1;
    const h = y1 - y0 + 1;
    const score = sum / count;
    if (Math.min(w, h) < options.minSidePx || score < options.boxThreshold) continue;
    const grow = (w * h * options.unclipRatio) / (2 * (w + h));
    const varX = sxx / count - (sx / count) ** 2;
    const varY = syy / count - (sy / count) ** 2;
    const covXY = sxy / count - (sx / count) * (sy / count);
    // Principal axis of the blob; trusted only when the blob is clearly a line (long and thin).
    const spread = Math.sqrt((varX - varY) ** 2 + 4 * covXY ** 2);
    const elongation = (varX + varY + spread) / Math.max(1e-9, varX + varY - spread);
    const slope = elongation > 16 ? Math.tan(0.5 * Math.atan2(2 * covXY, varX - varY)) : null;
    boxes.push({
      x0: Math.max(0, Math.floor(x0 - grow)),
      y0: Math.max(0, Math.floor(y0 - grow)),
      x1: Math.min(width, Math.ceil(x1 + 1 + grow)),
      y1: Math.min(height, Math.ceil(y1 + 1 + grow)),
      score,
      slope,
    });
  }
  return boxes;
}
