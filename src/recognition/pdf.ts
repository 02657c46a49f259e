import { getDocument, ImageKind, OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { PDFPageProxy } from 'pdfjs-dist/types/src/display/api.js';
import { RecognitionError } from './errors.ts';
import { MAX_INPUT_PIXELS } from './input.ts';
import { checkPdfBudget } from './pdf-budget.ts';
import type { GreyImage } from './ocr/grey-image.ts';
import type { TextPiece } from './text-lines.ts';

const MAX_PAGES = 2;
/**
 * Text runs read from a document: an e-bill prints a few hundred (a few thousand where every
 * character is a run of its own); 170,000 one-character runs in 8.4 KB of PDF are an attack.
 */
export const MAX_TEXT_PIECES = 20_000;

// PDF printers often map CJK glyphs to radical code points (⻔ for 门, ⼈ for 人). NFKC folds the
// Kangxi radicals; the simplified forms of the radicals supplement have no decomposition.
const RADICALS: Readonly<Record<string, string>> = {
  '⻔': '门', '⻆': '角', '⻓': '长', '⻅': '见', '⻋': '车', '⻚': '页', '⻢': '马', '⻛': '风', '⻜': '飞', '⻉': '贝',
  '⻈': '讠', '⻝': '食', '⻘': '青', '⻣': '骨', '⻤': '鬼', '⻨': '麦', '⻩': '黄', '⻬': '齐', '⻮': '齿', '⻰': '龙',
  '⻳': '龟', '⻙': '韦', '⻟': '饣', '⻠': '饣', '⻧': '卤', '⻦': '鸟', '⻥': '鱼', '⺠': '民', '⺟': '母', '⺝': '月',
};
// Kangxi radicals whose NFKC form is the traditional character where invoices print the simplified one.
const TRADITIONAL: Readonly<Record<string, string>> = { 戶: '户', 門: '门', 見: '见', 長: '长', 車: '车', 貝: '贝', 馬: '马', 風: '风', 飛: '飞', 齊: '齐' };

export function unifyIdeographs(text: string): string {
  return [...text]
    .map((ch) => {
      if (ch >= '\u2e80' && ch <= '\u2eff') return RADICALS[ch] ?? ch;
      if (ch >= '\u2f00' && ch <= '\u2fdf') {
        const folded = ch.normalize('NFKC');
        return TRADITIONAL[folded] ?? folded;
      }
      return ch;
    })
    .join('');
}

export interface PdfContent {
  /** The text layer of the first pages, top-down coordinates like an image's. */
  readonly pieces: TextPiece[];
  /** With no text layer (a scan): the largest image on the first page, red channel, for OCR. */
  readonly scan: GreyImage | null;
}

interface DecodedPdfImage {
  readonly width: number;
  readonly height: number;
  readonly kind: number;
  readonly data: Uint8ClampedArray;
}

/** The red channel, as decodeImage reads photos (seal dropout). */
function redChannel(image: DecodedPdfImage): GreyImage | null {
  const { width, height, kind, data } = image;
  const grey = new Uint8Array(width * height);
  if (kind === ImageKind.RGB_24BPP || kind === ImageKind.RGBA_32BPP) {
    const stride = kind === ImageKind.RGB_24BPP ? 3 : 4;
    for (let i = 0; i < grey.length; i++) grey[i] = data[i * stride]!;
  } else if (kind === ImageKind.GRAYSCALE_1BPP) {
    const rowBytes = Math.ceil(width / 8);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) grey[y * width + x] = (data[y * rowBytes + (x >> 3)]! >> (7 - (x & 7))) & 1 ? 255 : 0;
  } else {
    return null;
  }
  return { width, height, data: grey };
}

async function largestImage(page: PDFPageProxy): Promise<GreyImage | null> {
  const operators = await page.getOperatorList();
  let best: DecodedPdfImage | null = null;
  for (let i = 0; i < operators.fnArray.length; i++) {
    if (operators.fnArray[i] !== OPS.paintImageXObject) continue;
    const name = (operators.argsArray[i] as [string])[0];
    const image = await new Promise<DecodedPdfImage | null>((resolve) => page.objs.get(name, resolve));
    if (image?.data && (!best || image.width * image.height > best.width * best.height)) best = image;
  }
  return best ? redChannel(best) : null;
}

/** The page's text items, read as a stream and refused as soon as the document's count passes MAX_TEXT_PIECES. */
async function textItems(page: PDFPageProxy, readSoFar: number): Promise<unknown[]> {
  const items: unknown[] = [];
  const reader = page.streamTextContent().getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    items.push(...(chunk.value as { items: unknown[] }).items);
    if (readSoFar + items.length > MAX_TEXT_PIECES) {
      const refusal = new RecognitionError('too_much_text', `the PDF has more than ${MAX_TEXT_PIECES} pieces of text (maxTextPieces)`);
      // pdf.js stops parsing the page on cancel, and wants a reason to
      await reader.cancel(refusal);
      throw refusal;
    }
  }
  return items;
}

export async function readPdf(input: Buffer): Promise<PdfContent> {
  checkPdfBudget(input);
  const task = getDocument({
    data: new Uint8Array(input),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    // Images over the pixel limit are skipped rather than decoded: the PDF form of a decompression bomb.
    maxImageSize: MAX_INPUT_PIXELS,
    verbosity: 0,
  });
  try {
    const document = await task.promise;
    const pieces: TextPiece[] = [];
    let pageTop = 0;
    for (let n = 1; n <= Math.min(MAX_PAGES, document.numPages); n++) {
      const page = await document.getPage(n);
      const [, , , pageHeight = 0] = page.view;
      const items = (await textItems(page, pieces.length)) as Awaited<ReturnType<PDFPageProxy['getTextContent']>>['items'];
      for (const item of items) {
        if (!('str' in item) || item.str.trim() === '') continue;
        const [scaleX = 0, skewY = 0, , scaleY = 0, x = 0, baseline = 0] = item.transform as number[];
        // Rotated runs are watermarks and seal rims, never invoice fields.
        if (Math.abs(skewY) > 0.05 * Math.abs(scaleX)) continue;
        const height = item.height || Math.abs(scaleY);
        const top = pageTop + pageHeight - baseline - height;
        pieces.push({ text: unifyIdeographs(item.str), confidence: 1, x0: x, x1: x + item.width, y0: top, y1: top + height });
      }
      pageTop += pageHeight;
    }
    return { pieces, scan: pieces.length === 0 ? await largestImage(await document.getPage(1)) : null };
  } catch (err) {
    if (err instanceof RecognitionError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new RecognitionError(/unexpected end|truncated|startxref|xref/i.test(message) ? 'truncated' : 'corrupt', `the PDF cannot be read: ${message}`, { cause: err });
  } finally {
    await task.destroy();
  }
}
