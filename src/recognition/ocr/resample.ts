import type { Box, GreyImage } from './grey-image.ts';

/**
 * Bilinear resample of a box of `source` to width × height (text crops are small: JS beats a sharp
 * round trip). With `slope` (dy/dx) the sampling rows follow a text line that is not level, about
 * the box's horizontal centre.
 */
export function resampleBox(source: GreyImage, box: Box, width: number, height: number, slope = 0): Uint8Array {
  const out = new Uint8Array(width * height);
  const scaleX = (box.x1 - box.x0) / width;
  const scaleY = (box.y1 - box.y0) / height;
  const maxX = source.width - 1;
  const maxY = source.height - 1;
  const centreX = (box.x0 + box.x1) / 2;
  for (let y = 0; y < height; y++) {
    const rowY = box.y0 + (y + 0.5) * scaleY - 0.5;
    for (let x = 0; x < width; x++) {
      const sx = Math.min(maxX, Math.max(0, box.x0 + (x + 0.5) * scaleX - 0.5));
      const sy = Math.min(maxY, Math.max(0, rowY + (sx - centreX) * slope));
      const y0 = Math.floor(sy);
      const y1 = Math.min(maxY, y0 + 1);
      const fy = sy - y0;
      const x0 = Math.floor(sx);
      const x1 = Math.min(maxX, x0 + 1);
      const fx = sx - x0;
      const top = source.data[y0 * source.width + x0]! * (1 - fx) + source.data[y0 * source.width + x1]! * fx;
      const bottom = source.data[y1 * source.width + x0]! * (1 - fx) + source.data[y1 * source.width + x1]! * fx;
      out[y * width + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}
