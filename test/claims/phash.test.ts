import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { hammingDistance, perceptualHash } from '../../src/claims/phash.ts';
import { loadHospitalRegistry } from '../../src/recognition/hospitals.ts';
import { generateInvoice } from '../../sim/invoices/index.ts';

function svg(body: string): Promise<Buffer> {
  return sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="800" height="520"><rect width="100%" height="100%" fill="#fdfcf7"/>${body}</svg>`))
    .png()
    .toBuffer();
}

/** A bill-like page: a title, a table of rows and a red seal. */
const bill = (): Promise<Buffer> =>
  svg(
    `<text x="400" y="60" font-size="34" text-anchor="middle" fill="#222">浙江省医疗门诊收费票据</text>` +
      Array.from({ length: 8 }, (_, i) => `<rect x="60" y="${110 + i * 40}" width="680" height="2" fill="#444"/><text x="80" y="${140 + i * 40}" font-size="22" fill="#222">项目 ${i + 1}\u3000\u3000${(i + 1) * 137}.00</text>`).join('') +
      `<circle cx="640" cy="430" r="60" fill="none" stroke="#d22" stroke-width="8"/>`,
  );

/** Something else altogether: big shapes on the other side. */
const poster = (): Promise<Buffer> =>
  svg(`<rect x="0" y="260" width="800" height="260" fill="#123"/><circle cx="160" cy="160" r="120" fill="#e90"/><path d="M450 480 L780 60 L780 480 Z" fill="#2a7"/>`);

test('hashes are 16 hex characters and stable', async () => {
  const image = await bill();
  const hash = await perceptualHash(image);
  assert.match(hash, /^[0-9a-f]{16}$/);
  assert.equal(await perceptualHash(image), hash);
});

test('a re-encoded, resized, slightly brightened copy is close; another picture is far', async () => {
  const original = await bill();
  const hash = await perceptualHash(original);
  const copies = {
    jpeg: await sharp(original).jpeg({ quality: 55 }).toBuffer(),
    resized: await sharp(original).resize(480).png().toBuffer(),
    brighter: await sharp(original).modulate({ brightness: 1.1 }).png().toBuffer(),
    all: await sharp(original).resize(560).modulate({ brightness: 1.08 }).webp({ quality: 60 }).toBuffer(),
  };
  for (const [name, copy] of Object.entries(copies)) assert.ok(hammingDistance(hash, await perceptualHash(copy)) <= 10, name);
  assert.ok(hammingDistance(hash, await perceptualHash(await poster())) > 20);
});

test('a generated invoice photo stays close through the camera’s losses', async () => {
  const registry = await loadHospitalRegistry();
  const options = { seed: 7, layout: 'outpatient-grid' as const, hospitals: registry.hospitals, today: '2026-03-20' };
  const clean = await perceptualHash((await generateInvoice({ ...options, variant: 'clean' })).image);
  for (const variant of ['jpeg', 'lowres', 'blur', 'shading'] as const) {
    const photo = await generateInvoice({ ...options, variant });
    assert.ok(hammingDistance(clean, await perceptualHash(photo.image)) <= 10, variant);
  }
  assert.ok(hammingDistance(clean, await perceptualHash(await poster())) > 20);
});

test('Hamming distance counts differing bits and refuses what is not a hash', () => {
  assert.equal(hammingDistance('0000000000000000', '0000000000000000'), 0);
  assert.equal(hammingDistance('0000000000000000', 'ffffffffffffffff'), 64);
  assert.equal(hammingDistance('8000000000000001', '0000000000000000'), 2);
  assert.equal(hammingDistance('a5a5a5a5a5a5a5a5', '5a5a5a5a5a5a5a5a'), 64);
  assert.throws(() => hammingDistance('abc', '0000000000000000'), RangeError);
  assert.throws(() => hammingDistance('ABCDEF0123456789', '0000000000000000'), RangeError);
});

test('a file that is not an image is refused', async () => {
  await assert.rejects(perceptualHash(Buffer.from('not an image at all')));
});

test("the look-alike hash refuses an image past the recognizer's pixel limit instead of decoding it", async () => {
  // 7000 × 7000 = 49 MP: under sharp's default limit (268 MP), over the recognizer's (40 MP)
  const large = await sharp({ create: { width: 7000, height: 7000, channels: 3, background: '#ffffff' } }).greyscale().png({ compressionLevel: 1 }).toBuffer();
  await assert.rejects(perceptualHash(large), /pixel limit/);
});
