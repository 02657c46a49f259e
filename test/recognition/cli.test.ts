import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { runRecognizeCommand, type RecognizedFile } from '../../src/recognition/index.ts';
import { generateInvoice } from '../../sim/invoices/index.ts';
import { seedRegistry, TODAY } from './support.ts';

test('recognize prints one result per file, in order, as JSON or as a table', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'carepoints-recognize-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const hospitals = (await seedRegistry()).hospitals;
  const first = await generateInvoice({ seed: 801, variant: 'clean', layout: 'outpatient-grid', hospitals, today: TODAY });
  const second = await generateInvoice({ seed: 802, variant: 'jpeg', layout: 'pharmacy-receipt', hospitals, today: TODAY });
  const files = [path.join(dir, 'b.png'), path.join(dir, 'a.jpg'), path.join(dir, 'notes.txt')];
  await fs.writeFile(files[0]!, first.image);
  await fs.writeFile(files[1]!, second.image);
  await fs.writeFile(files[2]!, 'not an invoice');

  const printed: string[] = [];
  t.mock.method(console, 'log', (text: string) => printed.push(text));
  assert.equal(await runRecognizeCommand(files), 1, 'a refused file makes the exit code 1');
  const results = JSON.parse(printed.join('\n')) as RecognizedFile[];
  assert.deepEqual(results.map((r) => r.file), files);
  assert.equal(results[0]!.invoice?.invoiceNumber?.value, first.truth.invoiceNumber);
  assert.equal(results[0]!.findings.find((f) => f.code === 'kind_outpatient')?.outcome, 'pass');
  assert.equal(results[1]!.invoice?.kind.value, 'pharmacy');
  assert.equal(results[2]!.invoice, null);
  assert.equal(results[2]!.error?.code, 'unsupported_format');

  printed.length = 0;
  assert.equal(await runRecognizeCommand([files[0]!, '--pretty']), 0);
  const table = printed.join('\n');
  assert.match(table, new RegExp(`invoice number\\s+${first.truth.invoiceNumber}`));
  assert.match(table, /✓ kind_outpatient/);
});

test('recognize without files or with an unknown option prints usage and returns 2', async (t) => {
  const errors: string[] = [];
  t.mock.method(console, 'error', (text: string) => errors.push(text));
  assert.equal(await runRecognizeCommand([]), 2);
  assert.equal(await runRecognizeCommand(['x.jpg', '--fast']), 2);
  assert.match(errors.join('\n'), /usage: carepoints recognize/);
  assert.match(errors.join('\n'), /unknown option --fast/);
});
