/**
 * `tsx sim/generate-invoices.ts <out-dir> [--count N] [--seed S] [--variant V|all] [--layout L] [--today YYYY-MM-DD]`:
 * writes synthetic invoice photos with their ground truth beside each (NAME.jpg|png + NAME.json).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadHospitalRegistry } from '../src/hospitals/record.ts';
import { generateInvoice, INVOICE_LAYOUTS, INVOICE_VARIANTS, type InvoiceLayout, type InvoiceVariant } from './invoices/index.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    count: { type: 'string', default: '7' },
    seed: { type: 'string', default: '1' },
    variant: { type: 'string', default: 'all' },
    layout: { type: 'string' },
    today: { type: 'string', default: new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10) },
  },
});
const [outDir] = positionals;
const count = Number(values.count);
const firstSeed = Number(values.seed);
const variants = values.variant === 'all' ? INVOICE_VARIANTS : [values.variant as InvoiceVariant];
if (!outDir || !Number.isInteger(count) || count < 1 || !Number.isInteger(firstSeed) || !variants.every((v) => INVOICE_VARIANTS.includes(v))) {
  console.error(`usage: tsx sim/generate-invoices.ts <out-dir> [--count N] [--seed S] [--variant ${INVOICE_VARIANTS.join('|')}|all] [--layout ${INVOICE_LAYOUTS.join('|')}]`);
  process.exit(2);
}
if (values.layout !== undefined && !INVOICE_LAYOUTS.includes(values.layout as InvoiceLayout)) {
  console.error(`unknown layout ${values.layout}`);
  process.exit(2);
}
if (!/^\d{4}-\d{2}-\d{2}$/.test(values.today)) {
  console.error('--today must be YYYY-MM-DD');
  process.exit(2);
}

const registry = await loadHospitalRegistry();
await fs.mkdir(outDir, { recursive: true });
for (let i = 0; i < count; i++) {
  const seed = firstSeed + i;
  const variant = variants[i % variants.length]!;
  const generated = await generateInvoice({ seed, variant, layout: values.layout as InvoiceLayout | undefined, hospitals: registry.hospitals, today: values.today });
  const name = `invoice-${seed}-${variant}`;
  await fs.writeFile(path.join(outDir, `${name}.${generated.format === 'png' ? 'png' : 'jpg'}`), generated.image);
  await fs.writeFile(path.join(outDir, `${name}.json`), `${JSON.stringify({ seed, variant, ...generated.truth }, null, 2)}\n`);
  console.log(`${name} ${generated.truth.layout}`);
}
