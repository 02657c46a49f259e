import sharp from 'sharp';
import type { Hospital } from '../../src/hospitals/record.ts';
import { invoiceContent, type InvoiceLayout, type InvoiceTruth } from './content.ts';
import { degrade, type PhotoVariant } from './degrade.ts';
import { renderInvoice } from './layouts.ts';
import { picker } from './random.ts';

export const INVOICE_LAYOUTS: readonly InvoiceLayout[] = ['outpatient-grid', 'outpatient-pairs', 'inpatient', 'pharmacy-receipt'];

export interface GeneratedInvoice {
  readonly seed: number;
  readonly variant: PhotoVariant;
  readonly image: Buffer;
  readonly format: 'png' | 'jpeg';
  readonly truth: InvoiceTruth;
}

export interface GenerateOptions {
  readonly seed: number;
  readonly variant: PhotoVariant;
  /** Layout; by default drawn from the seed, mostly outpatient bills. */
  readonly layout?: InvoiceLayout;
  readonly hospitals: readonly Hospital[];
  /** YYYY-MM-DD the issue dates count back from. */
  readonly today: string;
  /**
   * Printed as given instead of the drawn content: the patient's name, a tampered total; or added to
   * it: a department, a diagnosis, other funds' payments, a variant title glyph.
   */
  readonly overrides?: Partial<Pick<InvoiceTruth, 'payerName' | 'totalFen' | 'items' | 'department' | 'diagnosis' | 'otherFunds' | 'outpatientWord'>>;
}

/** Other funds paid part of what the patient's cash paid: the split still adds up to the total. */
function withOtherFunds(truth: InvoiceTruth): InvoiceTruth {
  const fundsFen = (truth.otherFunds ?? []).reduce((sum, f) => sum + f.fen, 0);
  if (fundsFen === 0) return truth;
  if (fundsFen > truth.payment.personalCashFen) throw new RangeError(`other funds of ${fundsFen} fen exceed the personal cash of ${truth.payment.personalCashFen} fen`);
  return { ...truth, payment: { ...truth.payment, personalCashFen: truth.payment.personalCashFen - fundsFen } };
}

/** One synthetic invoice photo and its ground truth; the same options always give the same bytes. */
export async function generateInvoice(options: GenerateOptions): Promise<GeneratedInvoice> {
  const rand = picker(options.seed);
  const layout = options.layout ?? rand.pick<InvoiceLayout>(['outpatient-grid', 'outpatient-grid', 'outpatient-pairs', 'outpatient-pairs', 'inpatient', 'pharmacy-receipt']);
  const truth = withOtherFunds({ ...invoiceContent(rand, layout, options.hospitals, options.today), ...options.overrides });
  const rendered = renderInvoice(truth, rand);
  const png = await sharp(Buffer.from(rendered.svg)).png().toBuffer();
  const { image, format } = await degrade(png, rendered.width, rendered.height, options.variant, rand);
  return { seed: options.seed, variant: options.variant, image, format, truth };
}
