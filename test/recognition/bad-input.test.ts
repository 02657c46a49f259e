import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { createRecognizer, MAX_INPUT_BYTES, RecognitionError, type RecognitionErrorCode, type Recognizer } from '../../src/recognition/index.ts';
import { NOW, seedRegistry } from './support.ts';
import { pngChunk } from '../support/png.ts';

let recognizer: Recognizer;
before(async () => {
  recognizer = await createRecognizer({ hospitals: await seedRegistry() });
});
after(async () => {
  await recognizer.close();
});

async function refusal(input: Buffer): Promise<RecognitionErrorCode> {
  try {
    await recognizer.recognize(input, { now: NOW });
  } catch (err) {
    assert.ok(err instanceof RecognitionError, String(err));
    return err.code;
  }
  assert.fail('the input was accepted');
}


/** A PNG that claims width × height but carries only a few compressed rows: a decompression bomb's header. */
function hugePng(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale
  const rows = zlib.deflateSync(Buffer.alloc((width + 1) * 4));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', header), pngChunk('IDAT', rows), pngChunk('IEND', Buffer.alloc(0))]);
}

test('zero bytes are refused as empty', async () => {
  assert.equal(await refusal(Buffer.alloc(0)), 'empty_file');
});

test('a file that is not an image is refused as unsupported', async () => {
  assert.equal(await refusal(Buffer.from('name,amount\n王芳,123.45\n')), 'unsupported_format');
  assert.equal(await refusal(Buffer.from([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 1, 0, 1, 0])), 'unsupported_format'); // GIF
});

test('a 20,000 × 20,000 PNG is refused from its header, before any pixel is decoded', async () => {
  const before = process.memoryUsage().rss;
  const started = performance.now();
  assert.equal(await refusal(hugePng(20_000, 20_000)), 'image_too_large');
  assert.ok(performance.now() - started < 2000);
  assert.ok(process.memoryUsage().rss - before < 200 * 1024 * 1024);
});

test('a file over the byte limit is refused unread', async () => {
  assert.equal(await refusal(Buffer.alloc(MAX_INPUT_BYTES + 1, 0xff)), 'file_too_large');
});

test('truncated and corrupt images are refused with a typed error', async () => {
  const jpeg = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#f4f1ea' } })
    .composite([{ input: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600"><text x="40" y="300" font-size="60">票据号码 0012345678</text></svg>') }])
    .jpeg()
    .toBuffer();
  assert.equal(await refusal(jpeg.subarray(0, Math.floor(jpeg.length / 2))), 'truncated');
  const png = await sharp(jpeg).png().toBuffer();
  assert.equal(await refusal(png.subarray(0, Math.floor(png.length / 2))), 'truncated');
  const garbled = Buffer.from(png);
  garbled.fill(0x5a, 64, 4096);
  assert.match(await refusal(garbled), /^(corrupt|truncated)$/);
  assert.match(await refusal(Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\n')), /^(corrupt|truncated)$/);
});

test('HEIC is refused as unsupported: this build of sharp has no HEVC decoder', async () => {
  const heicHeader = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic\0\0\0\0mif1heic', 'latin1'), Buffer.alloc(64)]);
  assert.equal(await refusal(heicHeader), 'unsupported_format');
});

test('the recognizer still works after refusals', async () => {
  const blank = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#ffffff' } }).png().toBuffer();
  const { invoice } = await recognizer.recognize(blank, { now: NOW });
  assert.equal(invoice.kind.value, 'unknown');
});

/** A real 16×16 image whose header is rewritten to claim `side` × `side` pixels: the header of a bomb in that format. */
async function claimingSide(format: 'jpeg' | 'webp', side: number): Promise<Buffer> {
  const bytes = Buffer.from(await sharp({ create: { width: 16, height: 16, channels: 3, background: '#ffffff' } })[format]().toBuffer());
  if (format === 'jpeg') {
    // the baseline frame header (FFC0): length, precision, then height and width
    const sof = bytes.indexOf(Buffer.from([0xff, 0xc0]));
    bytes.writeUInt16BE(side, sof + 5);
    bytes.writeUInt16BE(side, sof + 7);
  } else {
    // a lossy VP8 key frame: after its start code, 14-bit width and height
    const start = bytes.indexOf(Buffer.from([0x9d, 0x01, 0x2a]));
    bytes.writeUInt16LE(side, start + 3);
    bytes.writeUInt16LE(side, start + 5);
  }
  return bytes;
}

for (const [format, side] of [['jpeg', 30_000], ['webp', 16_000]] as const) {
  test(`a ${format} claiming ${side} × ${side} pixels is refused from its header, before any pixel is decoded`, async () => {
    const bomb = await claimingSide(format, side);
    const peakBefore = process.resourceUsage().maxRSS * 1024;
    const started = performance.now();
    assert.equal(await refusal(bomb), 'image_too_large');
    assert.ok(performance.now() - started < 5000);
    assert.ok(process.resourceUsage().maxRSS * 1024 - peakBefore < 200 * 1024 * 1024);
  });
}
