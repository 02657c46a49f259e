import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { blockStats, locateSheet } from '../../src/recognition/locate.ts';
import { assessPhoto, preparePhoto } from '../../src/recognition/photo.ts';
import { judgePhoto, measureBlur, QUALITY_LIMITS, type PhotoMeasures } from '../../src/recognition/quality.ts';
import { generateInvoice, UNUSABLE_VARIANTS, type InvoiceVariant, type UnusableVariant } from '../../sim/invoices/index.ts';
import { seedRegistry, TODAY } from './support.ts';

const fine: PhotoMeasures = { paperBrightness: 215, glareShare: 0, frameShare: 0.3, sheetShortSidePx: 1500, printDensity: 0.04, blur: 0.2 };

test('measures within the limits give a usable photo', () => {
  assert.deepEqual(judgePhoto(fine, false), { usable: true, reasons: [], measures: fine });
});

test('each measure past its limit names its reason, with the value and the limit', () => {
  const cases: [Partial<PhotoMeasures>, string, number, number][] = [
    [{ paperBrightness: 40 }, 'too_dark', 40, QUALITY_LIMITS.minPaperBrightness],
    [{ glareShare: 0.09 }, 'glare', 0.09, QUALITY_LIMITS.maxGlareShare],
    [{ blur: 0.55 }, 'too_blurred', 0.55, QUALITY_LIMITS.maxBlur],
    [{ frameShare: 0.04 }, 'too_small_in_frame', 0.04, QUALITY_LIMITS.minFrameShare],
    [{ sheetShortSidePx: 200 }, 'too_low_resolution', 200, QUALITY_LIMITS.minSheetShortSidePx],
    [{ printDensity: 0.001 }, 'not_an_invoice', 0.001, QUALITY_LIMITS.minPrintDensity],
  ];
  for (const [change, code, measured, limit] of cases) {
    const quality = judgePhoto({ ...fine, ...change }, false);
    assert.equal(quality.usable, false, code);
    assert.deepEqual(quality.reasons.map((r) => [r.code, r.measured, r.limit]), [[code, measured, limit]]);
    assert.match(quality.reasons[0]!.message, new RegExp(String(limit * (code === 'glare' || code === 'too_small_in_frame' ? 100 : 1))));
  }
});

test('reasons come in the order of the advice; a sheet without print is judged on nothing else', () => {
  const dim = judgePhoto({ ...fine, paperBrightness: 30, frameShare: 0.05, blur: 0.6 }, false);
  assert.deepEqual(dim.reasons.map((r) => r.code), ['too_dark', 'too_blurred', 'too_small_in_frame']);
  const blank = judgePhoto({ ...fine, printDensity: 0, frameShare: 0.02, sheetShortSidePx: 100, glareShare: 0.5 }, false);
  assert.deepEqual(blank.reasons.map((r) => r.code), ['not_an_invoice']);
  // A scan fills its frame: it is never too small in it.
  assert.equal(judgePhoto({ ...fine, frameShare: 1 }, true).usable, true);
});

test('blur is measured as the share of fine contrast lost', async () => {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1400" height="900"><rect width="100%" height="100%" fill="#fff"/>${Array.from({ length: 14 }, (_, i) => `<text x="60" y="${70 + i * 58}" font-size="26" font-family="Noto Sans CJK SC">门诊收费票据 金额合计 ${i}123.45 医保统筹基金支付</text>`).join('')}</svg>`;
  const grey = async (sigma: number): Promise<number> => {
    let image = sharp(Buffer.from(svg));
    if (sigma > 0) image = image.blur(sigma);
    const { data, info } = await image.extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    return measureBlur({ width: info.width, height: info.height, data: new Uint8Array(data) });
  };
  const [sharpPage, soft, smeared] = [await grey(0), await grey(1.5), await grey(5)];
  assert.ok(sharpPage < soft && soft < QUALITY_LIMITS.maxBlur && smeared > QUALITY_LIMITS.maxBlur, `${sharpPage} ${soft} ${smeared}`);
  assert.equal(measureBlur({ width: 20, height: 20, data: new Uint8Array(400).fill(200) }), 1, 'a featureless page is all blur');
});

test('a sheet on a dark table is found with its corners and share of the frame', async () => {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="750"><rect width="100%" height="100%" fill="rgb(120,80,50)"/><rect x="300" y="200" width="400" height="300" fill="#f4f2ee"/></svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const image = { width: info.width, height: info.height, data: new Uint8Array(data) };
  const sheet = locateSheet(image, blockStats(image));
  assert.ok(sheet && !sheet.wholeFrame);
  const expected = [[300, 200], [700, 200], [700, 500], [300, 500]];
  sheet.corners.forEach(([x, y], i) => assert.ok(Math.abs(x - expected[i]![0]!) <= 8 && Math.abs(y - expected[i]![1]!) <= 8, `corner ${i}: ${x},${y}`));
  assert.ok(Math.abs(sheet.frameShare - 0.16) < 0.01, String(sheet.frameShare));
});

test('the generator\'s unusable photos get their reason first, its readable ones none', async () => {
  const hospitals = (await seedRegistry()).hospitals;
  for (const [i, [variant, expected]] of (Object.entries(UNUSABLE_VARIANTS) as [UnusableVariant, string][]).entries()) {
    const { image } = await generateInvoice({ seed: 800 + i, variant, hospitals, today: TODAY });
    const quality = await assessPhoto(image);
    assert.equal(quality?.reasons[0]?.code, expected, `${variant}: ${JSON.stringify(quality?.measures)}`);
  }
  const readable: InvoiceVariant[] = ['far', 'lowres640', 'blur', 'shading', 'perspective'];
  for (const [i, variant] of readable.entries()) {
    const { image, format } = await generateInvoice({ seed: 820 + i, variant, hospitals, today: TODAY });
    const { quality, page } = await preparePhoto(image, format);
    assert.deepEqual(quality.reasons, [], `${variant}: ${JSON.stringify(quality.measures)}`);
    assert.ok(page && Math.max(page.width, page.height) >= 1400, `${variant}: the sheet is brought to a readable size`);
  }
});

test('blur is judged against the sheet\'s width: long receipts as blurred as readable bills pass', async () => {
  const hospitals = (await seedRegistry()).hospitals;
  // These two seeds draw receipts with the strongest blur of the readable 'blur' variant.
  for (const seed of [21002, 21003]) {
    const { image, format, truth } = await generateInvoice({ seed, variant: 'blur', hospitals, today: TODAY });
    assert.equal(truth.layout, 'pharmacy-receipt');
    const { quality } = await preparePhoto(image, format);
    assert.ok(quality.measures.blur !== null && quality.measures.blur < QUALITY_LIMITS.maxBlur, `seed ${seed}: ${JSON.stringify(quality.measures)}`);
  }
});

test('a far shot is cropped to its sheet', async () => {
  const hospitals = (await seedRegistry()).hospitals;
  const { image, format } = await generateInvoice({ seed: 830, variant: 'far', layout: 'outpatient-grid', hospitals, today: TODAY });
  const { quality, page } = await preparePhoto(image, format);
  assert.ok(quality.measures.frameShare >= 0.13 && quality.measures.frameShare <= 0.45, String(quality.measures.frameShare));
  // The sheet is 1400 × about 950 px as rendered: its crop keeps that shape, not the 4:3 frame's.
  assert.ok(page && page.width / page.height > 1.2 && page.width / page.height < 1.7, `${page?.width}×${page?.height}`);
});

test('PDFs have no photo quality; damaged files are refused with their error', async () => {
  assert.equal(await assessPhoto(Buffer.from('%PDF-1.4\n')), null);
  await assert.rejects(assessPhoto(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0])), { name: 'RecognitionError' });
});
