import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { hammingDistance, perceptualHash } from '../../src/claims/phash.ts';
import { loadHospitalRegistry } from '../../src/hospitals/record.ts';
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

/** A 32×32 greyscale picture with structure at every scale (no ties among its low frequencies). */
function texture(pixel: (x: number, y: number) => number): Promise<Buffer> {
  const raw = Buffer.alloc(32 * 32);
  for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) raw[y * 32 + x] = pixel(x, y);
  return sharp(raw, { raw: { width: 32, height: 32, channels: 1 } }).png().toBuffer();
}
const pattern = (x: number, y: number) => Math.round(127 + 60 * Math.sin(x / 3.1 + y / 7.3) + 50 * Math.cos((x * y) / 41) + ((x * 13 + y * 7) % 17));

/**
 * The pHash written out the slow, textbook way: every coefficient of the 2-D DCT-II as one double
 * sum, the 8×8 lowest kept, each bit "above the median of the 63 non-DC terms", read row by row.
 */
function textbookHash(pixel: (x: number, y: number) => number): string {
  const n = 32;
  const alpha = (k: number) => Math.sqrt((k === 0 ? 1 : 2) / n);
  const terms: number[] = [];
  for (let u = 0; u < 8; u++) {
    for (let v = 0; v < 8; v++) {
      let sum = 0;
      for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) sum += pixel(x, y) * Math.cos(((2 * y + 1) * u * Math.PI) / (2 * n)) * Math.cos(((2 * x + 1) * v * Math.PI) / (2 * n));
      terms.push(alpha(u) * alpha(v) * sum);
    }
  }
  const rest = terms.slice(1).sort((a, b) => a - b);
  const median = rest[31]!; // 63 terms: the 32nd
  const bits = terms.map((t) => (t > median ? '1' : '0')).join('');
  return Array.from({ length: 16 }, (_, i) => parseInt(bits.slice(i * 4, i * 4 + 4), 2).toString(16)).join('');
}

test('the hash is the textbook DCT pHash of the picture', async () => {
  const hash = await perceptualHash(await texture(pattern));
  assert.match(hash, /^[0-9a-f]{16}$/);
  assert.equal(hash, textbookHash(pattern));
});

test('a picture turned on its diagonal gives the hash with its 8×8 bits transposed', async () => {
  const hash = await perceptualHash(await texture(pattern));
  const transposed = await perceptualHash(await texture((x, y) => pattern(y, x)));
  const bits = (h: string) => [...h].map((c) => parseInt(c, 16).toString(2).padStart(4, '0')).join('');
  const original = bits(hash);
  const expected = Array.from({ length: 64 }, (_, i) => original[(i % 8) * 8 + Math.floor(i / 8)]).join('');
  assert.equal(bits(transposed), expected);
  assert.notEqual(transposed, hash, 'the pattern is not symmetric, so the test can tell');
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
