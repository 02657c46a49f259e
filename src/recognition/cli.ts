import fs from 'node:fs/promises';
import { RecognitionError } from './errors.ts';
import { formatFenAsYuan } from './money.ts';
import { createRecognizer } from './recognizer.ts';
import type { Finding, Invoice } from './types.ts';

export const RECOGNIZE_USAGE = 'usage: carepoints recognize <file…> [--pretty]   read invoice photos or PDF e-bills; prints JSON (a table with --pretty)';

export interface RecognizedFile {
  readonly file: string;
  readonly invoice: Invoice | null;
  readonly findings: readonly Finding[];
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
    for (const item of i.items) row(`  ${item.category}`, `${item.name} ${formatFenAsYuan(item.amountFen)}`, item.confidence);
    row('total', i.totalFen ? formatFenAsYuan(i.totalFen.value) : null, i.totalFen?.confidence);
    row('total in words', i.totalInWordsFen ? formatFenAsYuan(i.totalInWordsFen.value) : null, i.totalInWordsFen?.confidence);
    row('QR', i.qr ? `${i.qr.format}: ${i.qr.raw}` : null);
    for (const f of r.findings) out.push(`   ${f.outcome === 'pass' ? '✓' : f.outcome === 'fail' ? '✗' : '·'} ${f.code.padEnd(20)} ${f.message}`);
  }
  return out.join('\n');
}

/**
 * `carepoints recognize <file…> [--pretty]`: one result per file, in order. A file that cannot be
 * read or is refused yields an entry with `error` and makes the exit code 1; usage errors give 2.
 */
export async function runRecognizeCommand(argv: string[]): Promise<number> {
  const pretty = argv.includes('--pretty');
  const files = argv.filter((a) => a !== '--pretty');
  const unknownFlag = files.find((f) => f.startsWith('--'));
  if (files.length === 0 || unknownFlag) {
    console.error(unknownFlag ? `unknown option ${unknownFlag}\n${RECOGNIZE_USAGE}` : RECOGNIZE_USAGE);
    return 2;
  }
  const recognizer = await createRecognizer();
  const results: RecognizedFile[] = [];
  try {
    for (const file of files) {
      try {
        const input = await fs.readFile(file);
        const { invoice, findings } = await recognizer.recognize(input);
        results.push({ file, invoice, findings });
      } catch (err) {
        const code = err instanceof RecognitionError ? err.code : ((err as NodeJS.ErrnoException).code ?? 'error');
        results.push({ file, invoice: null, findings: [], error: { code, message: err instanceof Error ? err.message : String(err) } });
      }
    }
  } finally {
    await recognizer.close();
  }
  console.log(pretty ? table(results) : JSON.stringify(results, null, 2));
  return results.some((r) => r.error) ? 1 : 0;
}
