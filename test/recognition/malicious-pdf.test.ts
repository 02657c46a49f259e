/**
 * PDFs written to hurt the server (issue 21, High 1 and 2): each is refused by name, within a
 * bounded time, with the process's peak memory bounded. Peak memory is the process's high-water
 * mark (maxRSS), so a bomb that allocated gigabytes for a moment is caught even after it is freed.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createRecognizer, RecognitionError, type Recognizer } from '../../src/recognition/index.ts';
import { MAX_TEXT_PIECES } from '../../src/recognition/pdf.ts';
import { imageBomb, streamBomb, textRunBomb } from './malicious-pdf.ts';
import { NOW, seedRegistry } from './support.ts';

/** Generous on a loaded 2-core machine: the bombs before the fix took 1–3 GB and up to a minute. */
const MAX_PEAK_GROWTH_BYTES = 300 * 1024 * 1024;
const MAX_SECONDS = 20;

let recognizer: Recognizer;
before(async () => {
  recognizer = await createRecognizer({ hospitals: await seedRegistry() });
});
after(async () => {
  await recognizer.close();
});

async function refusedBounded(input: Buffer, code: string): Promise<void> {
  const peakBefore = process.resourceUsage().maxRSS * 1024;
  const started = performance.now();
  await assert.rejects(recognizer.recognize(input, { now: NOW }), (err: unknown) => err instanceof RecognitionError && err.code === code);
  const seconds = (performance.now() - started) / 1000;
  const growth = process.resourceUsage().maxRSS * 1024 - peakBefore;
  assert.ok(seconds < MAX_SECONDS, `refused after ${seconds.toFixed(1)} s`);
  assert.ok(growth < MAX_PEAK_GROWTH_BYTES, `peak memory grew ${(growth / 2 ** 20).toFixed(0)} MiB`);
}

test('a PDF of eight blank 6000×6600 images (0.3 MB) is refused as document_too_large, its pixels never decoded', async () => {
  await refusedBounded(imageBomb(8, 6000, 6600), 'document_too_large');
});

test('a PDF whose content stream inflates to 300 MB (0.3 MB sent) is refused as document_too_large', async () => {
  await refusedBounded(streamBomb(300_000_000), 'document_too_large');
});

test(`a PDF of 170,000 one-character runs is refused as too_much_text (at most ${MAX_TEXT_PIECES} pieces)`, async () => {
  await refusedBounded(textRunBomb(170_000), 'too_much_text');
});
