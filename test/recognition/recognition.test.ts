import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { createRecognizer, type Recognizer } from '../../src/recognition/index.ts';
import { generateInvoice, generateInvoicePdf, INVOICE_VARIANTS, scoreInvoice, type GenerateOptions, type InvoiceLayout } from '../../sim/invoices/index.ts';
import { NOW, seedRegistry, TODAY } from './support.ts';

let recognizer: Recognizer;
before(async () => {
  recognizer = await createRecognizer({ hospitals: await seedRegistry() });
});
after(async () => {
  await recognizer.close();
});

function wrongFields(scores: ReturnType<typeof scoreInvoice>): string[] {
  return scores.filter((s) => !s.correct).map((s) => `${s.field}: expected ${JSON.stringify(s.expected)}, got ${JSON.stringify(s.actual)}`);
}

const LAYOUTS: InvoiceLayout[] = ['outpatient-grid', 'outpatient-pairs', 'inpatient', 'outpatient-grid', 'pharmacy-receipt', 'outpatient-pairs', 'outpatient-grid'];

test('generated photos of every degradation are read against their ground truth', async () => {
  const hospitals = (await seedRegistry()).hospitals;
  let fields = 0;
  let correct = 0;
  for (const [i, variant] of INVOICE_VARIANTS.entries()) {
    const generated = await generateInvoice({ seed: 500 + i, variant, layout: LAYOUTS[i], hospitals, today: TODAY });
    const { invoice, findings, timings } = await recognizer.recognize(generated.image, { now: NOW });
    const scores = scoreInvoice(generated.truth, invoice);
    fields += scores.length;
    correct += scores.filter((s) => s.correct).length;
    const wrong = wrongFields(scores);
    // Clean and tilted (deskewed) photos must be read perfectly; other degradations may cost a field,
    // a messaging app's 1280-px q50 forward of a far shot three (bench/README.md has its accuracy).
    const allowed = variant === 'clean' || variant === 'tilt' ? 0 : variant === 'far1280' ? 3 : 1;
    assert.ok(wrong.length <= allowed, `${variant}: ${wrong.join('; ')}`);
    assert.equal(invoice.kind.value, generated.truth.kind, variant);
    const outcome = Object.fromEntries(findings.map((f) => [f.code, f.outcome]));
    assert.equal(outcome.date_plausible, 'pass', variant);
    assert.equal(outcome.kind_outpatient, generated.truth.kind === 'outpatient' ? 'pass' : 'fail', variant);
    // a far shot forwarded at 1280 px may misread the issuer under its seal: the check then fails, rightly
    if (!wrong.some((w) => w.startsWith('hospital:'))) assert.equal(outcome.hospital_known, generated.truth.hospitalId ? 'pass' : 'fail', variant);
    if (wrong.length === 0) assert.equal(outcome.items_sum_to_total, 'pass', variant);
    if (generated.truth.qrPayload?.startsWith('01,')) assert.notEqual(outcome.qr_matches_ocr, 'fail', variant);
    assert.ok(timings.totalMs > 0 && timings.ocrMs > 0);
  }
  assert.ok(correct / fields >= 0.97, `field accuracy ${correct}/${fields}`);
});

test('far shots as the merchant app sends them (2000 px, q85) are read, a bill whose title names no kind included', async () => {
  const hospitals = (await seedRegistry()).hospitals;
  // Some provinces title their bills 医疗收费票据 with no 门诊: the patient-number label and the seal say it.
  const cases: GenerateOptions[] = [
    { seed: 801, variant: 'far2000', layout: 'outpatient-grid', hospitals, today: TODAY },
    { seed: 802, variant: 'far2000', layout: 'outpatient-pairs', hospitals, today: TODAY, overrides: { outpatientWord: '' } },
  ];
  for (const options of cases) {
    const generated = await generateInvoice(options);
    const { invoice, quality } = await recognizer.recognize(generated.image, { now: NOW });
    assert.deepEqual(quality?.reasons.map((r) => r.code), [], `seed ${options.seed}`);
    assert.equal(invoice.kind.value, 'outpatient', `seed ${options.seed}`);
    const wrong = wrongFields(scoreInvoice(generated.truth, invoice));
    assert.ok(wrong.length <= 1, `seed ${options.seed}: ${wrong.join('; ')}`);
  }
});

test('concurrent calls are queued and each gets its own invoice', async () => {
  const hospitals = (await seedRegistry()).hospitals;
  const generated = await Promise.all([601, 602, 603].map((seed) => generateInvoice({ seed, variant: 'clean', layout: 'outpatient-grid', hospitals, today: TODAY })));
  const results = await Promise.all(generated.map((g) => recognizer.recognize(g.image, { now: NOW })));
  results.forEach((r, i) => assert.equal(r.invoice.invoiceNumber?.value, generated[i]!.truth.invoiceNumber));
});

test('an e-bill PDF is read from its text layer and a scanned PDF by OCR', async () => {
  const hospitals = (await seedRegistry()).hospitals;
  const ebill = await generateInvoicePdf({ seed: 701, layout: 'outpatient-pairs', hospitals, today: TODAY, kind: 'e-bill' });
  const fromText = await recognizer.recognize(ebill.pdf, { now: NOW });
  assert.equal(fromText.source, 'pdf_text');
  assert.equal(fromText.timings.ocrMs, 0);
  assert.deepEqual(wrongFields(scoreInvoice(ebill.truth, fromText.invoice)), []);
  assert.equal(fromText.invoice.invoiceNumber?.confidence, 1);

  const scanned = await generateInvoicePdf({ seed: 702, layout: 'outpatient-grid', hospitals, today: TODAY, kind: 'scanned' });
  const fromScan = await recognizer.recognize(scanned.pdf, { now: NOW });
  assert.equal(fromScan.source, 'ocr');
  assert.deepEqual(wrongFields(scoreInvoice(scanned.truth, fromScan.invoice)), []);
});

test('a phone photo stored sideways with an EXIF orientation is read upright', async () => {
  const hospitals = (await seedRegistry()).hospitals;
  const generated = await generateInvoice({ seed: 901, variant: 'clean', layout: 'outpatient-pairs', hospitals, today: TODAY });
  // Stored rotated a quarter turn anticlockwise; orientation 6 tells viewers to turn it back.
  const sideways = await sharp(generated.image).rotate(-90).jpeg({ quality: 92 }).withMetadata({ orientation: 6 }).toBuffer();
  const { invoice } = await recognizer.recognize(sideways, { now: NOW });
  assert.deepEqual(wrongFields(scoreInvoice(generated.truth, invoice)), []);
});

test('a photo with no invoice in it is of kind unknown with no confidence', async () => {
  const width = 1200;
  const height = 900;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><linearGradient id="g"><stop offset="0" stop-color="#7a8f6a"/><stop offset="1" stop-color="#c9b48a"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/><circle cx="420" cy="380" r="160" fill="#8a3b2e"/><rect x="700" y="420" width="300" height="260" fill="#2e4a6b" transform="rotate(12 850 550)"/></svg>`;
  const photo = await sharp(Buffer.from(svg)).jpeg({ quality: 80 }).toBuffer();
  const { invoice, findings } = await recognizer.recognize(photo, { now: NOW });
  assert.equal(invoice.kind.value, 'unknown');
  assert.equal(invoice.confidence, 0);
  assert.equal(invoice.items.length, 0);
  assert.equal(findings.find((f) => f.code === 'kind_outpatient')?.outcome, 'fail');
});

test('an unusable photo is answered with its quality reasons and costs no OCR', async () => {
  const hospitals = (await seedRegistry()).hospitals;
  const dark = await generateInvoice({ seed: 1201, variant: 'dark', hospitals, today: TODAY });
  const { invoice, quality, timings } = await recognizer.recognize(dark.image, { now: NOW });
  assert.equal(quality?.usable, false);
  assert.equal(quality?.reasons[0]?.code, 'too_dark');
  assert.ok(quality!.reasons[0]!.measured < quality!.reasons[0]!.limit);
  assert.equal(timings.ocrMs, 0);
  assert.equal(invoice.kind.value, 'unknown');
});

test('a sheet that reads as no invoice is not_an_invoice after OCR', async () => {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1400" height="900"><rect width="100%" height="100%" fill="#fff"/>${Array.from({ length: 12 }, (_, i) => `<text x="80" y="${90 + i * 62}" font-size="30" font-family="Noto Sans CJK SC">春眠不觉晓，处处闻啼鸟。夜来风雨声，花落知多少。${i}</text>`).join('')}</svg>`;
  const poem = await sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toBuffer();
  const { invoice, quality, timings } = await recognizer.recognize(poem, { now: NOW });
  assert.ok(timings.ocrMs > 0, 'the photo itself is fine: it was read');
  assert.equal(invoice.kind.value, 'unknown');
  assert.deepEqual(quality?.reasons.map((r) => r.code), ['not_an_invoice']);
});
