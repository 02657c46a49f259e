import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import sharp from 'sharp';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { runRecognizeCommand, type RecognizedFile } from '../../src/recognition/index.ts';
import { generateInvoice } from '../../sim/invoices/index.ts';
import { seedRegistry, TODAY } from './support.ts';

/** The real CLI, its stdout a pipe: what a user gets from `carepoints recognize … | jq`. */
async function runCli(args: readonly string[]): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  const child = spawn(process.execPath, ['bin/carepoints.js', 'recognize', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString('utf8') };
}

test('recognize streams one result per file, in order, through a pipe, far past the pipe buffer: JSON, JSON Lines or a table', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'carepoints-recognize-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const hospitals = (await seedRegistry()).hospitals;
  const first = await generateInvoice({ seed: 801, variant: 'clean', layout: 'outpatient-grid', hospitals, today: TODAY });
  const second = await generateInvoice({ seed: 802, variant: 'jpeg', layout: 'pharmacy-receipt', hospitals, today: TODAY });
  const read = [path.join(dir, 'b.png'), path.join(dir, 'a.jpg'), path.join(dir, 'notes.txt')];
  await fs.writeFile(read[0]!, first.image);
  await fs.writeFile(read[1]!, second.image);
  await fs.writeFile(read[2]!, 'not an invoice');
  // missing files are refused without OCR: a cheap way past 64 KiB, the size at which output used to stop
  const missing = Array.from({ length: 400 }, (_, i) => path.join(dir, `missing-${String(i).padStart(4, '0')}.png`));
  const files = [...read, ...missing];

  const json = await runCli(files);
  assert.equal(json.code, 1, 'a refused file makes the exit code 1');
  assert.ok(json.stdout.length > 96 * 1024, `${json.stdout.length} bytes: well over a pipe buffer`);
  const results = JSON.parse(json.stdout.toString('utf8')) as RecognizedFile[];
  assert.deepEqual(results.map((r) => r.file), files);
  assert.equal(results[0]!.invoice?.invoiceNumber?.value, first.truth.invoiceNumber);
  assert.equal(results[0]!.findings.find((f) => f.code === 'kind_outpatient')?.outcome, 'pass');
  assert.equal(results[1]!.invoice?.kind.value, 'pharmacy');
  assert.equal(results[2]!.invoice, null);
  assert.equal(results[2]!.error?.code, 'unsupported_format');
  assert.ok(results.slice(3).every((r) => r.error?.code === 'ENOENT'));
  assert.match(json.stderr, new RegExp(`recognized ${files.length}/${files.length} `), 'progress on stderr when stdout is a pipe');

  const jsonl = await runCli(['--jsonl', ...files]);
  const lines = jsonl.stdout.toString('utf8').trimEnd().split('\n');
  assert.equal(lines.length, files.length);
  assert.deepEqual(lines.map((line) => (JSON.parse(line) as RecognizedFile).file), files);

  const pretty = await runCli([read[0]!, '--pretty']);
  assert.equal(pretty.code, 0);
  const table = pretty.stdout.toString('utf8');
  assert.match(table, new RegExp(`invoice number\\s+${first.truth.invoiceNumber}`));
  assert.match(table, /✓ kind_outpatient/);
});

test('files refused before any model is loaded: empty, oversized (not read), not an image, missing', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'carepoints-recognize-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const files = ['empty.png', 'huge.jpg', 'notes.jpg', 'missing.png'].map((f) => path.join(dir, f));
  await fs.writeFile(files[0]!, '');
  await fs.writeFile(files[1]!, Buffer.alloc(16 * 1024 * 1024, 0xff));
  await fs.writeFile(files[2]!, 'a text file named .jpg');
  const run = await runCli(['--jsonl', ...files]);
  assert.equal(run.code, 1);
  const codes = run.stdout.toString('utf8').trimEnd().split('\n').map((line) => (JSON.parse(line) as RecognizedFile).error?.code);
  assert.deepEqual(codes, ['empty_file', 'file_too_large', 'unsupported_format', 'ENOENT']);
});

test('a blank photo is no invoice: a clear error and exit 1, not an empty reading', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'carepoints-recognize-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const blank = path.join(dir, 'blank.png');
  await sharp({ create: { width: 1200, height: 1600, channels: 3, background: '#ffffff' } }).png().toFile(blank);
  const run = await runCli(['--jsonl', blank]);
  assert.equal(run.code, 1);
  assert.equal((JSON.parse(run.stdout.toString('utf8')) as RecognizedFile).error?.code, 'no_invoice_found');
});

test('recognize without files or with an unknown option prints usage and returns 2', async (t) => {
  const errors: string[] = [];
  t.mock.method(console, 'error', (text: string) => errors.push(text));
  assert.equal(await runRecognizeCommand([]), 2);
  assert.equal(await runRecognizeCommand(['x.jpg', '--fast']), 2);
  assert.equal(await runRecognizeCommand(['x.jpg', '--pretty', '--jsonl']), 2);
  assert.match(errors.join('\n'), /usage: carepoints recognize/);
  assert.match(errors.join('\n'), /unknown option --fast/);
  assert.match(errors.join('\n'), /exclude each other/);
});
