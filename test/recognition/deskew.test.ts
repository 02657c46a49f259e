import assert from 'node:assert/strict';
import { test } from 'node:test';
import { estimateSkewDegrees } from '../../src/recognition/deskew.ts';
import { flattenIllumination } from '../../src/recognition/illumination.ts';
import { decodeImage, rotateGrey } from '../../src/recognition/input.ts';
import { generateInvoice } from '../../sim/invoices/index.ts';
import { seedRegistry, TODAY } from './support.ts';

test('the skew of a rotated invoice is measured to within 0.3°', async () => {
  const registry = await seedRegistry();
  const { image } = await generateInvoice({ seed: 7, variant: 'clean', layout: 'outpatient-grid', hospitals: registry.hospitals, today: TODAY });
  const page = await decodeImage(image, 'png');
  assert.ok(Math.abs(estimateSkewDegrees(page)) <= 0.3);
  for (const degrees of [-4, -2.5, 1.5, 3.5]) {
    const measured = estimateSkewDegrees(await rotateGrey(page, degrees));
    assert.ok(Math.abs(measured - degrees) <= 0.3, `rotated ${degrees}°, measured ${measured}°`);
  }
});

test('a blank page has no skew', () => {
  const blank = { width: 400, height: 300, data: new Uint8Array(400 * 300).fill(240) };
  assert.equal(estimateSkewDegrees(blank), 0);
});

test('uneven lighting is flattened and faint marks vanish while ink stays dark', () => {
  const width = 1024;
  const height = 64;
  const data = new Uint8Array(width * height);
  // Paper from 140 (a shadow) to 250 across the page, like a phone photo's falloff.
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = 140 + Math.floor((x * 110) / width);
  const ink = (x: number): number => 10 * width + x;
  data[ink(20)] = 40;
  data[ink(1000)] = 70;
  data[ink(800)] = Math.round(data[ink(800)]! * 0.93); // a faint watermark stroke
  const flat = flattenIllumination({ width, height, data });
  assert.equal(flat.data[40 * width + 10], 255);
  assert.equal(flat.data[40 * width + 1010], 255);
  assert.equal(flat.data[ink(800)], 255);
  assert.ok(flat.data[ink(20)]! < 100 && flat.data[ink(1000)]! < 100, `${flat.data[ink(20)]} ${flat.data[ink(1000)]}`);
});
