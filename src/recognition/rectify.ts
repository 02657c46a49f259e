import { homography, type Point } from './homography.ts';
import type { GreyImage } from './ocr/grey-image.ts';

// Paper kept beyond the sheet's corners, as a share of its size: the corners are found in blocks.
const MARGIN_SHARE = 0.02;

const distance = (a: Point, b: Point): number => Math.hypot(a[0] - b[0], a[1] - b[1]);

/**
 * The sheet whose corners (clockwise from top-left, in `page` pixels) are given, warped flat: a
 * sheet turned and seen from the side becomes an upright rectangle whose lines of text run level
 * from one edge to the other. Its long side is `longSide`; the corners move out by a small margin.
 */
export function rectifySheet(page: GreyImage, corners: readonly [Point, Point, Point, Point], longSide: number): GreyImage {
  const [tl, tr, br, bl] = corners;
  const sheetWidth = (distance(tl, tr) + distance(bl, br)) / 2;
  const sheetHeight = (distance(tl, bl) + distance(tr, br)) / 2;
  const scale = longSide / Math.max(sheetWidth, sheetHeight);
  const width = Math.max(1, Math.round(sheetWidth * scale));
  const height = Math.max(1, Math.round(sheetHeight * scale));
  const cx = (tl[0] + tr[0] + br[0] + bl[0]) / 4;
  const cy = (tl[1] + tr[1] + br[1] + bl[1]) / 4;
  const out = corners.map(([x, y]): Point => [cx + (x - cx) * (1 + 2 * MARGIN_SHARE), cy + (y - cy) * (1 + 2 * MARGIN_SHARE)]);
  const h = homography([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], out);
  const data = new Uint8Array(width * height);
  const maxX = page.width - 1;
  const maxY = page.height - 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const w = h[6]! * x + h[7]! * y + h[8]!;
      const sx = Math.min(maxX, Math.max(0, (h[0]! * x + h[1]! * y + h[2]!) / w));
      const sy = Math.min(maxY, Math.max(0, (h[3]! * x + h[4]! * y + h[5]!) / w));
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = Math.min(maxX, x0 + 1);
      const y1 = Math.min(maxY, y0 + 1);
      const fx = sx - x0;
      const fy = sy - y0;
      const top = page.data[y0 * page.width + x0]! * (1 - fx) + page.data[y0 * page.width + x1]! * fx;
      const bottom = page.data[y1 * page.width + x0]! * (1 - fx) + page.data[y1 * page.width + x1]! * fx;
      data[y * width + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return { width, height, data };
}
