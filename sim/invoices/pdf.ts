import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import type { Hospital } from '../../src/hospitals/record.ts';
import { invoiceContent, type InvoiceLayout, type InvoiceTruth } from './content.ts';
import { renderInvoice } from './layouts.ts';
import { picker } from './random.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface GeneratedPdf {
  readonly pdf: Buffer;
  readonly truth: InvoiceTruth;
}

export interface PdfOptions {
  readonly seed: number;
  readonly layout: Exclude<InvoiceLayout, 'pharmacy-receipt'>;
  readonly hospitals: readonly Hospital[];
  readonly today: string;
  /** `scanned`: the page is one raster image with no text layer, like a scanner's PDF. */
  readonly kind: 'e-bill' | 'scanned';
}

/** An e-bill PDF printed by headless Chromium (Debian's package, which `npm test` installs for the tests). */
export async function generateInvoicePdf(options: PdfOptions): Promise<GeneratedPdf> {
  const rand = picker(options.seed);
  const truth = invoiceContent(rand, options.layout, options.hospitals, options.today);
  const rendered = renderInvoice(truth, rand);
  const body =
    options.kind === 'e-bill'
      ? rendered.svg
      : `<img style="display:block" width="${rendered.width}" height="${rendered.height}" src="data:image/jpeg;base64,${(await sharp(Buffer.from(rendered.svg)).jpeg({ quality: 90 }).toBuffer()).toString('base64')}">`;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'carepoints-pdf-'));
  try {
    const html = path.join(dir, 'invoice.html');
    const pdf = path.join(dir, 'invoice.pdf');
    await fs.writeFile(html, `<!doctype html><html><head><meta charset="utf-8"><style>@page{size:${rendered.width}px ${rendered.height}px;margin:0}body{margin:0}</style></head><body>${body}</body></html>`);
    await promisify(execFile)(
      CHROMIUM,
      ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-pdf-header-footer', `--user-data-dir=${path.join(dir, 'profile')}`, `--print-to-pdf=${pdf}`, `file://${html}`],
      { timeout: 60_000 },
    );
    return { pdf: await fs.readFile(pdf), truth };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
