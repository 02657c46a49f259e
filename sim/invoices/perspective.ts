import { homography, type Point } from '../../src/recognition/homography.ts';

/**
 * Draws an RGB source image into the quad `corners` (clockwise from top-left) of an RGB canvas,
 * as a phone held at an angle sees a sheet of paper.
 */
export function warpOnto(
  source: { data: Uint8Array; width: number; height: number },
  canvas: { data: Uint8Array; width: number; height: number },
  corners: readonly Point[],
): void {
  const { width: sw, height: sh } = source;
  const h = homography(corners, [[0, 0], [sw - 1, 0], [sw - 1, sh - 1], [0, sh - 1]]);
  const xs = corners.map((c) => c[0]);
  const ys = corners.map((c) => c[1]);
  const minX = Math.max(0, Math.floor(Math.min(...xs)));
  const maxX = Math.min(canvas.width - 1, Math.ceil(Math.max(...xs)));
  const minY = Math.max(0, Math.floor(Math.min(...ys)));
  const maxY = Math.min(canvas.height - 1, Math.ceil(Math.max(...ys)));
  for (let y = minY; y <= maxY; y++) {
    for (let x = minX; x <= maxX; x++) {
      const w = h[6]! * x + h[7]! * y + h[8]!;
      const sx = (h[0]! * x + h[1]! * y + h[2]!) / w;
      const sy = (h[3]! * x + h[4]! * y + h[5]!) / w;
      if (sx < 0 || sy < 0 || sx > sw - 1 || sy > sh - 1) continue;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = Math.min(sw - 1, x0 + 1);
      const y1 = Math.min(sh - 1, y0 + 1);
      const fx = sx - x0;
      const fy = sy - y0;
      for (let c = 0; c < 3; c++) {
        const top = source.data[(y0 * sw + x0) * 3 + c]! * (1 - fx) + source.data[(y0 * sw + x1) * 3 + c]! * fx;
        const bottom = source.data[(y1 * sw + x0) * 3 + c]! * (1 - fx) + source.data[(y1 * sw + x1) * 3 + c]! * fx;
        canvas.data[(y * canvas.width + x) * 3 + c] = top * (1 - fy) + bottom * fy;
      }
    }
  }
}
