import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GreyImage } from '../../src/recognition/ocr/grey-image.ts';
import { rectifySheet } from '../../src/recognition/rectify.ts';

/** A 200 × 200 page, grey table around a 100 × 100 sheet (50–150) whose left half (x < 100) is printed black. */
function page(): GreyImage {
  const data = new Uint8Array(200 * 200);
  for (let y = 0; y < 200; y++) {
    for (let x = 0; x < 200; x++) {
      const onSheet = x >= 50 && x < 150 && y >= 50 && y < 150;
      data[y * 200 + x] = !onSheet ? 120 : x < 100 ? 0 : 255;
    }
  }
  return { width: 200, height: 200, data };
}

const at = (image: GreyImage, x: number, y: number): number => image.data[Math.round(y) * image.width + Math.round(x)]!;

test('a sheet is warped to an upright rectangle of the asked long side, its top-left corner first', () => {
  const upright = rectifySheet(page(), [[50, 50], [150, 50], [150, 150], [50, 150]], 300);
  assert.deepEqual([upright.width, upright.height], [300, 300]);
  assert.equal(at(upright, 75, 150), 0, 'the left half is the black print');
  assert.equal(at(upright, 225, 150), 255, 'the right half is paper');
  assert.equal(at(upright, 150, 1), 120, 'a margin of table is kept beyond the edge');
});

test('a sheet lying turned a quarter (its top edge on the right of the page) comes out upright', () => {
  // the sheet's top-left corner is the page's top right: its top edge runs down the page's right side
  const turned = rectifySheet(page(), [[150, 50], [150, 150], [50, 150], [50, 50]], 100);
  assert.equal(at(turned, 50, 20), 255, 'the top half is the page\'s right half: paper');
  assert.equal(at(turned, 50, 80), 0, 'the bottom half is the page\'s left half: print');
});
