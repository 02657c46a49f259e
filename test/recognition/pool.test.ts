import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { performance } from 'node:perf_hooks';
import { createRecognizerPool, RecognizerBusyError } from '../../src/recognition/pool.ts';
import type { Recognizer } from '../../src/recognition/index.ts';
import { generateInvoice } from '../../sim/invoices/index.ts';
import { NOW, seedRegistry, TODAY } from './support.ts';

let pool: Recognizer;
before(async () => {
  pool = await createRecognizerPool({ hospitals: await seedRegistry(), workers: 1, maxQueued: 2 });
});
after(async () => {
  await pool.close();
});

test('a worker thread reads the invoice, and the event loop stays free meanwhile', async () => {
  const hospitals = (await seedRegistry()).hospitals;
  const photos = await Promise.all([1101, 1102].map((seed) => generateInvoice({ seed, variant: 'far', layout: 'outpatient-grid', hospitals, today: TODAY })));
  const before = performance.eventLoopUtilization();
  const results = await Promise.all(photos.map((p) => pool.recognize(p.image, { now: NOW })));
  // Time this thread spent running code rather than waiting: on a shared machine wall-clock stalls
  // also measure other processes, this does not. In process, decoding, deskew and QR decoding keep
  // the loop busy for hundreds of milliseconds per photo.
  const { active, utilization } = performance.eventLoopUtilization(before);
  results.forEach((r, i) => assert.equal(r.invoice.invoiceNumber?.value, photos[i]!.truth.invoiceNumber));
  assert.equal(results[0]!.quality?.usable, true);
  // in process the loop is busy most of the time; the bound leaves room for a machine whose other core is held
  assert.ok(utilization < 0.2, `the event loop was busy ${active.toFixed(0)} ms (${(utilization * 100).toFixed(1)}% of the time)`);
});

test('bad input is refused in the calling thread with its error code', async () => {
  await assert.rejects(pool.recognize(Buffer.alloc(0)), { name: 'RecognitionError', code: 'empty_file' });
  await assert.rejects(pool.recognize(Buffer.from('hello, not an image')), { name: 'RecognitionError', code: 'unsupported_format' });
  // A file that passes the cheap checks but fails to decode comes back from the worker typed.
  await assert.rejects(pool.recognize(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 1, 2, 3])), { name: 'RecognitionError', code: 'truncated' });
});

test('beyond the queue bound photos are refused as busy, not dropped', async () => {
  const hospitals = (await seedRegistry()).hospitals;
  const { image } = await generateInvoice({ seed: 1103, variant: 'clean', hospitals, today: TODAY });
  const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => pool.recognize(image, { now: NOW })));
  // One being read and two waiting; the other two are told to come back later.
  assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 3);
  const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
  assert.equal(refused.length, 2);
  for (const r of refused) assert.ok(r.reason instanceof RecognizerBusyError);
});

test('a document past its time budget is refused as recognition_timeout, and a fresh worker reads the next', async () => {
  const hospitals = (await seedRegistry()).hospitals;
  const { image } = await generateInvoice({ seed: 1104, variant: 'far', layout: 'outpatient-grid', hospitals, today: TODAY });
  // 0.2 s: no full photo is read that fast (decoding, detection and recognition take seconds), a corrupt file is refused in milliseconds
  const strict = await createRecognizerPool({ hospitals: await seedRegistry(), workers: 1, maxSecondsPerDocument: 0.2 });
  try {
    await assert.rejects(strict.recognize(image, { now: NOW }), { name: 'RecognitionError', code: 'recognition_timeout' });
    // the stopped worker's place is taken: a document sent now is answered by the new worker
    await assert.rejects(strict.recognize(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 1, 2, 3]), { now: NOW }), { name: 'RecognitionError', code: 'truncated' });
  } finally {
    await strict.close();
  }
});
