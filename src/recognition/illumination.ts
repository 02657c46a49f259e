import type { GreyImage } from './ocr/grey-image.ts';

const BLOCK = 32;

/**
 * Divides the page by its paper brightness (the blockwise maximum, smoothed) and clips the
 * near-white: uneven phone lighting becomes flat, and faint watermarks (and, in the red channel,
 * seal ink) vanish before detection instead of merging into the text boxes next to them.
 */
export function flattenIllumination(image: GreyImage, clipAbove = 0.86): GreyImage {
  const { width, height, data } = image;
  const bw = Math.ceil(width / BLOCK);
  const bh = Math.ceil(height / BLOCK);
  const blocks = new Float32Array(bw * bh);
  for (let y = 0; y < height; y++) {
    const row = Math.floor(y / BLOCK) * bw;
    for (let x = 0; x < width; x++) {
      const v = data[y * width + x]!;
      const b = row + Math.floor(x / BLOCK);
      if (v > blocks[b]!) blocks[b] = v;
    }
  }
  // A block wholly covered by ink (a QR code, a bold title) has no paper: borrow its neighbours'.
  const paper = new Float32Array(bw * bh);
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      let max = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const v = blocks[Math.min(bh - 1, Math.max(0, by + dy)) * bw + Math.min(bw - 1, Math.max(0, bx + dx))]!;
          if (v > max) max = v;
        }
      }
      paper[by * bw + bx] = Math.max(max, 40);
    }
  }
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const fy = Math.min(bh - 1, Math.max(0, (y + 0.5) / BLOCK - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(bh - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(bw - 1, Math.max(0, (x + 0.5) / BLOCK - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(bw - 1, x0 + 1);
      const wx = fx - x0;
      const bg =
        (paper[y0 * bw + x0]! * (1 - wx) + paper[y0 * bw + x1]! * wx) * (1 - wy) + (paper[y1 * bw + x0]! * (1 - wx) + paper[y1 * bw + x1]! * wx) * wy;
      const level = data[y * width + x]! / bg;
      out[y * width + x] = level >= clipAbove ? 255 : Math.round((level / clipAbove) * 255);
    }
  }
  return { width, height, data: out };
}
