import fs from 'node:fs/promises';
import { RecognitionError } from './errors.ts';
import { MAX_INPUT_BYTES, sniffFormat } from './input.ts';
import { showsAnInvoice } from './invoice-found.ts';
import { formatFenAsYuan } from '../shared/money.ts';
import type { PhotoQuality } from './quality.ts';
import { createHospitalRegistry, type HospitalRegistry } from './hospitals.ts';
import { createRecognizer } from './recognizer.ts';
import type { Finding, Invoice } from './types.ts';

export const RECOGNIZE_USAGE = 'usage: carepoints recognize <file…> [--jsonl|--pretty]   read invoice photos or PDF e-bills; prints a JSON array (one JSON object per line with --jsonl, a table with --pretty)';

export interface RecognizedFile {
  readonly file: string;
  readonly invoice: Invoice | null;
  readonly findings: readonly Finding[];
  /** How usable the photo is, with the reasons to retake it (absent for PDFs and refused files). */
  readonly quality?: PhotoQuality;
  /** Set when the file was refused (unreadable, too large, not an image). */
  readonly error?: { readonly code: string; readonly message: string };
}

function table(results: readonly RecognizedFile[]): string {
  const out: string[] = [];
  for (const r of results) {
    out.push(`── ${r.file}`);
    if (!r.invoice) {
      out.push(`   error ${r.error?.code}: ${r.error?.message}`);
      continue;
    }
    const i = r.invoice;
    if (r.quality) out.push(`   photo            ${r.quality.usable ? 'usable' : r.quality.reasons.map((q) => `${q.code}: ${q.message}`).join('; ')}`);
    const row = (label: string, value: string | null | undefined, confidence?: number): void => {
      out.push(`   ${label.padEnd(16)} ${value ?? '—'}${confidence === undefined ? '' : `  (${confidence.toFixed(2)})`}`);
    };
    row('kind', i.kind.value, i.kind.confidence);
    row('province', i.province?.value, i.province?.confidence);
    row('invoice code', i.invoiceCode?.value, i.invoiceCode?.confidence);
    row('invoice number', i.invoiceNumber?.value, i.invoiceNumber?.confidence);
    row('check code', i.checkCode?.value, i.checkCode?.confidence);
    row('issue date', i.issueDate?.value, i.issueDate?.confidence);
    row('payer', i.payerName?.value, i.payerName?.confidence);
    row('outpatient no.', i.outpatientNumber?.value, i.outpatientNumber?.confidence);
    row('hospital', i.hospital ? `${i.hospital.printedName} → ${i.hospital.hospitalId ?? 'not in registry'}` : null, i.hospital?.confidence);
    row('insurance', i.insuranceType?.value, i.insuranceType?.confidence);
    for (const item of i.items) row(`  ${item.category}`, `${item.name}${item.printedName ? ` (read ${item.printedName})` : ''} ${formatFenAsYuan(item.amountFen)}`, item.confidence);
    row('total', i.totalFen ? formatFenAsYuan(i.totalFen.value) : null, i.totalFen?.confidence);
    row('total in words', i.totalInWordsFen ? formatFenAsYuan(i.totalInWordsFen.value) : null, i.totalInWordsFen?.confidence);
    row('QR', i.qr ? `${i.qr.format}: ${i.qr.raw}` : null);
    for (const f of r.findings) out.push(`   ${f.outcome === 'pass' ? '✓' : f.outcome === 'fail' ? '✗' : '·'} ${f.code.padEnd(20)} ${f.message}`);
  }
  return out.join('\n');
}

type OutputFormat = 'json' | 'jsonl' | 'pretty';

/** How results reach stdout one at a time, so that memory stays flat however many files are read. */
function writerFor(format: OutputFormat): { item(r: RecognizedFile, index: number): string; end: string } {
  switch (format) {
    case 'pretty':
      return { item: (r) => `${table([r])}\n`, end: '' };
    case 'jsonl':
      return { item: (r) => `${JSON.stringify(r)}\n`, end: '' };
    case 'json':
      // the array of the earlier, all-at-once output, written element by element
      return {
        item: (r, index) => `${index === 0 ? '[\n' : ',\n'}${indent(JSON.stringify(r, null, 2))}`,
        end: '\n]\n',
      };
  }
}

function indent(json: string): string {
  return json.replace(/^/gm, '  ');
}

/** Waits when the pipe is full: a slow reader slows the reading of files, not the growth of a buffer. */
async function write(text: string): Promise<void> {
  if (!process.stdout.write(text)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
}

type Recognizer = Awaited<ReturnType<typeof createRecognizer>>;

/**
 * What can be refused without the models: a missing, empty or oversized file (checked by its size,
 * before it is read) or one that is not an image or PDF (by its first bytes).
 */
async function precheck(file: string): Promise<void> {
  const { size } = await fs.stat(file);
  if (size === 0) throw new RecognitionError('empty_file', 'the file is empty');
  if (size > MAX_INPUT_BYTES) throw new RecognitionError('file_too_large', `the file has ${size} bytes; at most ${MAX_INPUT_BYTES} are accepted`);
  const handle = await fs.open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(16), 0, 16, 0);
    sniffFormat(buffer.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

/** A photo that shows no invoice, or one too poor to read, is an error for the caller, not an empty result. */
function unreadable(invoice: Invoice, quality: PhotoQuality | undefined): { code: string; message: string } | undefined {
  const reason = quality?.usable === false ? quality.reasons[0] : undefined;
  if (reason) return { code: reason.code === 'not_an_invoice' ? 'no_invoice_found' : `unusable_photo_${reason.code}`, message: reason.message };
  if (!showsAnInvoice(invoice)) return { code: 'no_invoice_found', message: 'nothing in the file reads as an invoice' };
  return undefined;
}

async function recognizeFile(recognizer: () => Promise<Recognizer>, file: string): Promise<RecognizedFile> {
  try {
    await precheck(file);
    const { invoice, findings, quality } = await (await recognizer()).recognize(await fs.readFile(file));
    const refusal = unreadable(invoice, quality);
    return { file, invoice, findings, ...(quality && { quality }), ...(refusal && { error: refusal }) };
  } catch (err) {
    const code = err instanceof RecognitionError ? err.code : ((err as NodeJS.ErrnoException).code ?? 'error');
    return { file, invoice: null, findings: [], error: { code, message: err instanceof Error ? err.message : String(err) } };
  }
}

function parseArgs(argv: readonly string[]): { format: OutputFormat; files: string[] } | { usageError: string } {
  const flags = argv.filter((a) => a.startsWith('--'));
  const files = argv.filter((a) => !a.startsWith('--'));
  const unknown = flags.find((f) => f !== '--pretty' && f !== '--jsonl');
  if (unknown) return { usageError: `unknown option ${unknown}\n${RECOGNIZE_USAGE}` };
  if (flags.includes('--pretty') && flags.includes('--jsonl')) return { usageError: `--pretty and --jsonl exclude each other\n${RECOGNIZE_USAGE}` };
  if (files.length === 0) return { usageError: RECOGNIZE_USAGE };
  return { format: flags.includes('--pretty') ? 'pretty' : flags.includes('--jsonl') ? 'jsonl' : 'json', files };
}

/**
 * `carepoints recognize <file…> [--jsonl|--pretty]`: one result per file, in order, each written as
 * soon as it is read. A file that cannot be read or is refused yields an entry with `error` and makes
 * the exit code 1; usage errors give 2. When stdout is not a terminal, progress goes to stderr.
 */
export async function runRecognizeCommand(argv: string[], hospitals: () => Promise<HospitalRegistry> = async () => createHospitalRegistry([])): Promise<number> {
  const args = parseArgs(argv);
  if ('usageError' in args) {
    console.error(args.usageError);
    return 2;
  }
  const writer = writerFor(args.format);
  const showProgress = !process.stdout.isTTY;
  // the models (about a second and hundreds of MB) are loaded for the first file that needs them
  const models: { loaded: Promise<Recognizer> | null } = { loaded: null };
  const recognizer = () => (models.loaded ??= hospitals().then((registry) => createRecognizer({ hospitals: registry })));
  let failed = false;
  try {
    for (const [index, file] of args.files.entries()) {
      const result = await recognizeFile(recognizer, file);
      failed ||= result.error !== undefined;
      await write(writer.item(result, index));
      if (showProgress) process.stderr.write(`recognized ${index + 1}/${args.files.length} ${file}${result.error ? ` (${result.error.code})` : ''}\n`);
    }
  } finally {
    if (models.loaded) await (await models.loaded).close();
  }
  await write(writer.end);
  return failed ? 1 : 0;
}
