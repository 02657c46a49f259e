import { assembleInvoice } from './assemble.ts';
import { checkInvoice } from './checks.ts';
import { estimateSkewDegrees } from './deskew.ts';
import { RecognitionError } from './errors.ts';
import { extractPrintedFields } from './extract.ts';
import type { Hospital } from '../hospitals/record.ts';
import { createHospitalRegistry, type HospitalRegistry } from './hospitals.ts';
import { flattenIllumination } from './illumination.ts';
import { showsAnInvoice } from './invoice-found.ts';
import { checkInputSize, fitWorkingSize, resizeGrey, rotateGrey, sniffFormat } from './input.ts';
import { loadOcrEngine, type OcrEngine } from './ocr/engine.ts';
import type { GreyImage } from './ocr/grey-image.ts';
import { readPdf } from './pdf.ts';
import { preparePhoto } from './photo.ts';
import { decodeQr } from './qr.ts';
import { parseQrPayload, type QrPayload } from './qr-payload.ts';
import { noInvoiceRead, type PhotoQuality } from './quality.ts';
import { groupIntoLines, type TextLine, type TextPiece } from './text-lines.ts';
import type { RecognitionResult } from './types.ts';

export interface RecognizerOptions {
  /** The registry the issuer is matched against when a call gives none; none by default (no hospital matched). */
  readonly hospitals?: HospitalRegistry | readonly Hospital[];
  /** onnxruntime intra-op threads; the machine's 2 cores by default. */
  readonly threads?: number;
  /** onnxruntime's threads spin between ops instead of sleeping (its own default; off here: ocr/engine.ts says why). */
  readonly spinning?: boolean;
  /** Invoices older than this fail the date check. */
  readonly maxInvoiceAgeDays?: number;
}

export interface RecognizeOptions {
  /** "Today" for the date check; the current time by default. */
  readonly now?: Date;
  /** The registry to match this photo's issuer against, when it is newer than the recognizer's own (an admin changed it). */
  readonly hospitals?: HospitalRegistry;
}

export interface Recognizer {
  recognize(input: Buffer, options?: RecognizeOptions): Promise<RecognitionResult>;
  close(): Promise<void>;
  /** Time to load and warm up the models. */
  readonly modelLoadMs: number;
}

const DETECTOR_MAX_SIDE = 960;
const MIN_SKEW_DEG = 0.3;

function detectorSize(page: GreyImage): { width: number; height: number } {
  const scale = DETECTOR_MAX_SIDE / Math.max(page.width, page.height);
  const round32 = (v: number): number => Math.max(32, Math.round((v * scale) / 32) * 32);
  return { width: round32(page.width), height: round32(page.height) };
}

async function ocrLines(engine: OcrEngine, page: GreyImage): Promise<TextLine[]> {
  const skew = estimateSkewDegrees(page);
  const level = Math.abs(skew) >= MIN_SKEW_DEG ? await rotateGrey(page, -skew) : page;
  const flat = flattenIllumination(level);
  const size = detectorSize(flat);
  const texts = await engine.read(await resizeGrey(flat, size.width, size.height), flat);
  const pieces: TextPiece[] = texts.map((t) => ({ text: t.text, confidence: t.confidence, slope: t.slope, steps: t.steps, ...t.box }));
  return groupIntoLines(pieces);
}

/**
 * A page of dark bars in rows, like lines of text: one pass over it compiles every JS loop of the
 * pipeline and sizes onnxruntime's buffers, which otherwise makes the first real invoice 2–3× slower.
 */
function warmUpPage(): GreyImage {
  const width = 1400;
  const height = 900;
  const data = new Uint8Array(width * height).fill(250);
  for (let row = 0; row < 12; row++) {
    for (let bar = 0; bar < 4; bar++) {
      const x0 = 60 + bar * 330 + (row % 3) * 20;
      for (let y = 60 + row * 70; y < 84 + row * 70; y++) data.fill(20, y * width + x0, y * width + x0 + 120 + ((row * 7 + bar * 13) % 150));
    }
  }
  return { width, height, data };
}

/**
 * Loads and warms the OCR models once. Calls to `recognize` run one at a time (a queue): two
 * concurrent inferences on 2 cores are each slower than one after the other.
 */
export async function createRecognizer(options: RecognizerOptions = {}): Promise<Recognizer> {
  const started = performance.now();
  const registry =
    options.hospitals === undefined ? createHospitalRegistry([]) : 'match' in options.hospitals ? options.hospitals : createHospitalRegistry(options.hospitals);
  const engine = await loadOcrEngine({ threads: options.threads, spinning: options.spinning });
  const page = warmUpPage();
  await decodeQr(page);
  await ocrLines(engine, page);
  const modelLoadMs = Math.round(performance.now() - started);
  const maxAgeDays = options.maxInvoiceAgeDays ?? 365;
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

  async function run(input: Buffer, now: Date, hospitals: HospitalRegistry): Promise<RecognitionResult> {
    const t0 = performance.now();
    if (!Buffer.isBuffer(input)) throw new RecognitionError('unsupported_format', 'the input must be the bytes of a file');
    checkInputSize(input);
    const format = sniffFormat(input);
    let lines: TextLine[] = [];
    let qr: QrPayload | null = null;
    let decodeMs: number;
    let qrMs = 0;
    let ocrMs = 0;
    let source: RecognitionResult['source'] = 'ocr';
    let quality: PhotoQuality | undefined;
    const pdf = format === 'pdf' ? await readPdf(input) : null;
    if (pdf && !pdf.scan) {
      decodeMs = performance.now() - t0;
      lines = groupIntoLines(pdf.pieces);
      source = 'pdf_text';
    } else {
      let page: GreyImage | null;
      if (pdf?.scan) {
        page = await fitWorkingSize(pdf.scan);
      } else {
        // The sheet is found and the photo judged before any model runs: an unusable photo costs no OCR.
        const prepared = await preparePhoto(input, format as Exclude<typeof format, 'pdf'>);
        ({ page, quality } = prepared);
      }
      decodeMs = performance.now() - t0;
      if (page) {
        const t1 = performance.now();
        const payload = await decodeQr(page);
        qr = payload === null ? null : parseQrPayload(payload);
        qrMs = performance.now() - t1;
        const t2 = performance.now();
        lines = await ocrLines(engine, page);
        ocrMs = performance.now() - t2;
      }
    }
    const invoice = assembleInvoice(extractPrintedFields(lines, source === 'pdf_text' ? 'pdf' : 'ocr'), hospitals, qr);
    const findings = checkInvoice(invoice, { now, maxAgeDays });
    if (quality?.usable && !showsAnInvoice(invoice)) quality = noInvoiceRead(quality);
    const round = (ms: number): number => Math.round(ms * 10) / 10;
    return { invoice, findings, source, ...(quality && { quality }), timings: { decodeMs: round(decodeMs), qrMs: round(qrMs), ocrMs: round(ocrMs), totalMs: round(performance.now() - t0) } };
  }

  return {
    modelLoadMs,
    recognize(input, recognizeOptions = {}) {
      if (closed) return Promise.reject(new Error('the recognizer is closed'));
      const job = queue.then(() => run(input, recognizeOptions.now ?? new Date(), recognizeOptions.hospitals ?? registry));
      queue = job.catch(() => undefined);
      return job;
    },
    async close() {
      closed = true;
      await queue;
      await engine.close();
    },
  };
}
