import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import type { GreyImage } from '../../src/recognition/ocr/grey-image.ts';
import { preparePhoto } from '../../src/recognition/photo.ts';
import { decodeQr } from '../../src/recognition/qr.ts';
import { qrRegions } from '../../src/recognition/qr-region.ts';
import { generateInvoice } from '../../sim/invoices/index.ts';
import { qrCode } from '../../sim/invoices/svg.ts';
import { seedRegistry, TODAY } from './support.ts';

const PAYLOAD = 'https://ebill.example.gov.cn/verify?d=33010126_0012345678_a1b2c3_143.45_20260318&t=1&s=7f77b68703d9870d';
// Where the code is drawn, and lines of print around it as on a fiscal bill.
const CODE = { x0: 1150, y0: 30, x1: 1310, y1: 190 };

async function page(withCode: boolean, scale: number): Promise<GreyImage> {
  const lines = Array.from({ length: 11 }, (_, i) => `<text x="60" y="${90 + i * 70}" font-size="28" font-family="Noto Sans CJK SC">票据代码：33010126 交款人：王芳 挂号费 10.00 西药费 113.45 ${i}</text>`);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1400" height="900"><rect width="100%" height="100%" fill="#fff"/>${lines.join('')}${withCode ? qrCode(PAYLOAD, CODE.x0, CODE.y0, CODE.x1 - CODE.x0) : ''}</svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).resize(Math.round(1400 * scale)).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

test('the region around a QR code is found, at full size and at a far shot\'s scale', async () => {
  for (const scale of [1, 0.5]) {
    const regions = qrRegions(await page(true, scale));
    const holding = regions.filter((r) => r.x0 <= CODE.x0 * scale && r.y0 <= CODE.y0 * scale && r.x1 >= CODE.x1 * scale && r.y1 >= CODE.y1 * scale);
    assert.equal(holding.length, 1, `scale ${scale}: ${JSON.stringify(regions)}`);
  }
});

test('lines of print with no code are no region', async () => {
  assert.deepEqual(qrRegions(await page(false, 1)), []);
});

test('the small code of a far shot forwarded at 1280 × 960 (q50) is decoded from its enlarged region', async () => {
  // seed 5015: the whole page, and the page at 2×, read no code; its region enlarged does
  const generated = await generateInvoice({ seed: 5015, variant: 'far1280', hospitals: (await seedRegistry()).hospitals, today: TODAY });
  const { page } = await preparePhoto(generated.image, 'jpeg');
  assert.ok(generated.truth.qrPayload !== undefined && page !== null);
  assert.equal(await decodeQr(page), generated.truth.qrPayload);
});
