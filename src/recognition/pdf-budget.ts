/**
 * What a PDF may cost to read, checked on its raw bytes before pdf.js allocates anything: pdf.js
 * bounds each image (maxImageSize) but not their sum, nor what its streams inflate to, so 0.9 MB of
 * PDF holding 8 blank 40-megapixel images, or 292 KB inflating to 300 MB, took gigabytes (issue 21).
 *
 * A stream's data cannot sit in an object stream, so every stream, its dictionary (filters, image
 * size) and its data are found in the file as written. Each is inflated here, its output counted and
 * dropped, and the whole document refused once its sum passes the budget.
 */
import zlib from 'node:zlib';
import { RecognitionError } from './errors.ts';
import { MAX_INPUT_PIXELS } from './input.ts';

export interface PdfBudget {
  /** Pixels of every image in the document together. */
  readonly maxPixels: number;
  /** Bytes every stream of the document inflates to, together. */
  readonly maxInflatedBytes: number;
}

/** One scanned page's image is up to 40 MP; a document holds at most that many pixels in all. */
export const PDF_BUDGET: PdfBudget = { maxPixels: MAX_INPUT_PIXELS, maxInflatedBytes: 64 * 1024 * 1024 };

/**
 * The most a filter can multiply its input by, for the filters measured without decoding them
 * (run-length: 2 bytes make 128; LZW: 12 bits name a string of up to 4,096 bytes; ASCII85: `z`
 * is four zero bytes). Image codecs (DCT, JPX, JBIG2, CCITT) are bounded by their pixels instead.
 */
const EXPANSION: Readonly<Record<string, number>> = {
  ASCIIHexDecode: 1,
  AHx: 1,
  ASCII85Decode: 4,
  A85: 4,
  RunLengthDecode: 64,
  RL: 64,
  LZWDecode: 2731,
  LZW: 2731,
};
/** What a stream inflating past this ratio would be: zlib's own limit (deflate's longest match per bit). */
const FLATE_EXPANSION = 1032;
const IMAGE_CODECS = new Set(['DCTDecode', 'DCT', 'JPXDecode', 'JBIG2Decode', 'CCITTFaxDecode', 'CCF']);

function tooLarge(what: string): RecognitionError {
  return new RecognitionError('document_too_large', `the PDF is too large to read: ${what}`);
}

/** The document's plain integer objects (`12 0 obj 4096 endobj`), by reference: what an indirect /Length or /Width names. */
function integerObjects(text: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const m of text.matchAll(/(\d+)\s+(\d+)\s+obj\s*(\d+)\s*endobj/g)) found.set(`${m[1]} ${m[2]}`, Number(m[3]));
  return found;
}

/** An integer entry of a dictionary, given directly or as a reference to a plain integer object. */
function integerEntry(dict: string, key: string, integers: () => Map<string, number>): number | null {
  const entry = new RegExp(`/${key}\\s+(\\d+)(?!\\d)(\\s+(\\d+)\\s+R)?`).exec(dict);
  if (!entry) return null;
  return entry[2] ? (integers().get(`${entry[1]} ${entry[3]}`) ?? null) : Number(entry[1]);
}

function filtersOf(dict: string): string[] {
  const entry = /\/Filter\s*(\[[^\]]*\]|\/[A-Za-z0-9]+)/.exec(dict);
  return entry ? [...entry[1]!.matchAll(/\/([A-Za-z0-9]+)/g)].map((m) => m[1]!) : [];
}

/** Inflates `data` with at most `limit` bytes out: what it inflates to, or null past the limit. A damaged stream counts what came out before the damage. */
function inflatedSize(data: Buffer, limit: number): number | null {
  try {
    return zlib.inflateSync(data, { maxOutputLength: Math.max(1, limit), finishFlush: zlib.constants.Z_SYNC_FLUSH }).length;
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return null;
    // pdf.js reads no more of a broken stream than zlib could: the raw length bounds it
    return data.length;
  }
}

/**
 * What a stream's filters make of it, or Infinity past `limit`: its first filter measured (Flate by
 * inflating), each filter after it by the most it can expand (image codecs by the image's pixels,
 * counted apart).
 */
function decodedSize(data: Buffer, filters: readonly string[], limit: number): number {
  const [first, ...rest] = filters;
  let size = first === 'FlateDecode' || first === 'Fl' ? (inflatedSize(data, limit + 1) ?? Infinity) : first === undefined || IMAGE_CODECS.has(first) ? data.length : data.length * (EXPANSION[first] ?? Infinity);
  for (const filter of rest) if (!IMAGE_CODECS.has(filter)) size *= filter === 'FlateDecode' || filter === 'Fl' ? FLATE_EXPANSION : (EXPANSION[filter] ?? Infinity);
  return size;
}

/** Refuses a PDF whose images or streams together pass the budget (RecognitionError `document_too_large`), before it is parsed. */
export function checkPdfBudget(input: Buffer, budget: PdfBudget = PDF_BUDGET): void {
  const text = input.toString('latin1');
  // an encrypted PDF's streams cannot be measured without its key: pdf.js would inflate them unmeasured
  if (/\/Encrypt\s+(\d+\s+\d+\s+R|<<)/.test(text)) throw new RecognitionError('unsupported_format', 'encrypted PDFs are not read: send the e-bill as it was issued');
  let integers: Map<string, number> | undefined;
  const integerObjectsOnce = (): Map<string, number> => (integers ??= integerObjects(text));
  let pixels = 0;
  let inflated = 0;
  const keyword = /stream(\r\n|\n|\r)/g;
  for (let match = keyword.exec(text); match; match = keyword.exec(text)) {
    const at = match.index;
    // `endstream` also ends in `stream`; a stream keyword follows its dictionary's `>>`
    if (!/>>\s*$/.test(text.slice(Math.max(0, at - 64), at))) continue;
    const dict = text.slice(Math.max(0, text.lastIndexOf('obj', at)), at);
    const start = at + match[0].length;
    const declared = integerEntry(dict, 'Length', integerObjectsOnce);
    // the declared length when endstream follows it; otherwise (a wrong /Length, which pdf.js mends) the next endstream
    const end = declared !== null && /^\s*endstream/.test(text.slice(start + declared, start + declared + 32)) ? start + declared : text.indexOf('endstream', start);
    const data = input.subarray(start, end < 0 ? input.length : end);
    keyword.lastIndex = end < 0 ? input.length : end + 'endstream'.length;
    if (/\/Subtype\s*\/Image/.test(dict)) {
      const width = integerEntry(dict, 'Width', integerObjectsOnce);
      const height = integerEntry(dict, 'Height', integerObjectsOnce);
      // dimensions it will not say plainly count as the largest image pdf.js decodes
      pixels += width !== null && height !== null ? width * height : MAX_INPUT_PIXELS;
      if (pixels > budget.maxPixels) throw tooLarge(`its images hold more than ${budget.maxPixels} pixels together (maxPixels)`);
    }
    inflated += decodedSize(data, filtersOf(dict), budget.maxInflatedBytes - inflated);
    if (inflated > budget.maxInflatedBytes) throw tooLarge(`its streams inflate to more than ${budget.maxInflatedBytes} bytes together (maxInflatedBytes)`);
  }
}
