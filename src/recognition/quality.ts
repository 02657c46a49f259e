/**
 * Why a photo cannot be read, in words the app can turn into advice, with the values measured.
 * The limits are tuned between the generator's readable variants (sim/invoices INVOICE_VARIANTS:
 * far shots, 640-px photos, blur, shading …) and its unusable ones (UNUSABLE_VARIANTS); the
 * benchmark prints both sides.
 */
import { BLOCK_PX, type BlockStats, type RgbImage, type SheetRegion } from './locate.ts';
import type { GreyImage } from './ocr/grey-image.ts';

export const PHOTO_QUALITY_REASONS = ['too_dark', 'glare', 'too_blurred', 'too_small_in_frame', 'too_low_resolution', 'not_an_invoice'] as const;
/** In order of advice: the first reason is the one to fix first. */
export type PhotoQualityReason = (typeof PHOTO_QUALITY_REASONS)[number];

export interface PhotoQualityIssue {
  readonly code: PhotoQualityReason;
  /** The measured value and the limit it crossed, in the unit of `measure`. */
  readonly measured: number;
  readonly limit: number;
  readonly measure: keyof PhotoMeasures;
  readonly message: string;
}

export interface PhotoMeasures {
  /** Brightness of the sheet's paper, 0–255. */
  readonly paperBrightness: number;
  /** Share of the sheet washed out to pure white by a reflection, 0–1. */
  readonly glareShare: number;
  /** Share of the frame's area the sheet covers, 0–1 (1: a scan, or paper filling the photo). */
  readonly frameShare: number;
  /** The sheet's shorter side in the photo's pixels. */
  readonly sheetShortSidePx: number;
  /** Density of fine dark detail (print) on the sheet, 0–1. */
  readonly printDensity: number;
  /** Share of edge contrast lost to blur (0 sharp – 1 featureless), at a fixed sheet size; null when not measured. */
  readonly blur: number | null;
}

export interface PhotoQuality {
  readonly usable: boolean;
  readonly reasons: readonly PhotoQualityIssue[];
  readonly measures: PhotoMeasures;
}

export const QUALITY_LIMITS = {
  /** Paper darker than this is a dim room or night shot. */
  minPaperBrightness: 45,
  /** More of the sheet than this washed out. */
  maxGlareShare: 0.03,
  /** A sheet smaller than this share of the frame: step closer. */
  minFrameShare: 0.08,
  /** Shorter side of the sheet below this: characters are a few pixels tall. */
  minSheetShortSidePx: 300,
  /** Less print than this: no document on the sheet. */
  minPrintDensity: 0.004,
  /** Blur measured on the sheet scaled to BLUR_SHEET_SIDE. */
  maxBlur: 0.4,
} as const;

/**
 * The sheet is scaled to this short side before blur is measured: blur is judged against the
 * print's size, which follows the sheet's width better than its length (receipts are long).
 */
export const BLUR_SHEET_SIDE = 900;
const INK_SHARE = 0.8;

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function distance(a: readonly [number, number], b: readonly [number, number]): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

/**
 * Print on the sheet: how often a row of pixels crosses between ink (darker than INK_SHARE of its
 * block's paper) and paper. Lines of characters cross often; a blank sheet or a box with a label
 * hardly ever.
 */
function printDensity(image: RgbImage, stats: BlockStats, blocks: readonly number[]): number {
  let crossings = 0;
  let pixels = 0;
  const inSheet = new Set(blocks);
  const { columns } = stats;
  // Blocks on the outline hold table as well as paper: the table's edge is not print.
  const interior = blocks.filter((b) => inSheet.has(b - columns) && inSheet.has(b + columns) && (b % columns === 0 || inSheet.has(b - 1)) && (b % columns === columns - 1 || inSheet.has(b + 1)));
  for (const b of interior) {
    const bx = (b % stats.columns) * BLOCK_PX;
    const by = Math.floor(b / stats.columns) * BLOCK_PX;
    const ink = INK_SHARE * 3 * stats.brightness[b]!;
    for (let y = by; y < Math.min(image.height, by + BLOCK_PX); y++) {
      for (let x = bx; x < Math.min(image.width - 1, bx + BLOCK_PX); x++) {
        const i = (y * image.width + x) * 3;
        const here = image.data[i]! + image.data[i + 1]! + image.data[i + 2]! < ink;
        const right = image.data[i + 3]! + image.data[i + 4]! + image.data[i + 5]! < ink;
        if (here !== right) crossings++;
        pixels++;
      }
    }
  }
  return pixels === 0 ? 0 : crossings / pixels;
}

/** Measures of the photo as a whole and of its sheet, from the preview (blur comes later, from the sheet itself). */
export function measurePhoto(image: RgbImage, stats: BlockStats, sheet: SheetRegion | null, previewScale: number): PhotoMeasures {
  const blocks = sheet?.blocks ?? Array.from(stats.paper.keys());
  const paperBrightness = median(blocks.map((b) => stats.brightness[b]!));
  // A scan's paper is pure white everywhere: only white standing out of greyer paper is a reflection.
  const glareBlocks = paperBrightness >= 245 ? 0 : blocks.filter((b) => stats.clipped[b]! >= 0.9).length;
  const [tl, tr, br, bl] = sheet?.corners ?? [[0, 0], [image.width, 0], [image.width, image.height], [0, image.height]];
  const sides = [(distance(tl, tr) + distance(bl, br)) / 2, (distance(tl, bl) + distance(tr, br)) / 2];
  return {
    paperBrightness: Math.round(paperBrightness),
    glareShare: round(glareBlocks / Math.max(1, blocks.length)),
    frameShare: round(sheet?.frameShare ?? 0),
    sheetShortSidePx: Math.round(Math.min(...sides) / previewScale),
    printDensity: round(sheet ? printDensity(image, stats, blocks) : 0),
    blur: null,
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/**
 * The Crété-Roffet no-reference blur measure: how much of the image's neighbour-to-neighbour
 * variation survives a further 9-pixel box blur. A sharp page loses most of it, a blurred one little.
 */
export function measureBlur(page: GreyImage): number {
  const { width, height, data } = page;
  const along = (step: number, count: number, lines: number, lineStep: number): number => {
    let sharp = 0;
    let kept = 0;
    const window = new Float64Array(count);
    for (let line = 0; line < lines; line++) {
      const base = line * lineStep;
      let sum = 0;
      for (let k = 0; k < count; k++) {
        sum += data[base + k * step]!;
        if (k >= 9) sum -= data[base + (k - 9) * step]!;
        window[k] = sum / Math.min(k + 1, 9);
      }
      for (let k = 9; k < count; k++) {
        const d = Math.abs(data[base + k * step]! - data[base + (k - 1) * step]!);
        const db = Math.abs(window[k]! - window[k - 1]!);
        sharp += d;
        kept += Math.max(0, d - db);
      }
    }
    return sharp === 0 ? 1 : (sharp - kept) / sharp;
  };
  return round(Math.max(along(1, width, height, width), along(width, height, width, 1)));
}

const MESSAGES: Record<PhotoQualityReason, (m: PhotoMeasures) => string> = {
  too_dark: (m) => `the paper is too dark (brightness ${m.paperBrightness} of 255, at least ${QUALITY_LIMITS.minPaperBrightness})`,
  glare: (m) => `a reflection washes out ${(m.glareShare * 100).toFixed(1)}% of the invoice (at most ${QUALITY_LIMITS.maxGlareShare * 100}%)`,
  too_blurred: (m) => `the print is blurred (blur ${m.blur?.toFixed(2)}, at most ${QUALITY_LIMITS.maxBlur})`,
  too_small_in_frame: (m) => `the invoice covers ${(m.frameShare * 100).toFixed(1)}% of the photo (at least ${QUALITY_LIMITS.minFrameShare * 100}%)`,
  too_low_resolution: (m) => `the invoice is ${m.sheetShortSidePx} pixels across (at least ${QUALITY_LIMITS.minSheetShortSidePx})`,
  not_an_invoice: (m) => (m.frameShare === 0 ? 'no sheet of paper was found in the photo' : `hardly any print on the sheet (density ${m.printDensity}, at least ${QUALITY_LIMITS.minPrintDensity})`),
};

/**
 * The reasons the measures give, in PHOTO_QUALITY_REASONS order. A "sheet" without print is not an
 * invoice at all: its size and sharpness are then beside the point.
 */
export function judgePhoto(measures: PhotoMeasures, wholeFrame: boolean): PhotoQuality {
  const limits = QUALITY_LIMITS;
  const printed = measures.printDensity >= limits.minPrintDensity;
  const sheet = printed && measures.frameShare > 0;
  const failing: [PhotoQualityReason, keyof PhotoMeasures, number, number, boolean][] = [
    ['too_dark', 'paperBrightness', measures.paperBrightness, limits.minPaperBrightness, measures.paperBrightness < limits.minPaperBrightness],
    ['glare', 'glareShare', measures.glareShare, limits.maxGlareShare, printed && measures.glareShare > limits.maxGlareShare],
    ['too_blurred', 'blur', measures.blur ?? 0, limits.maxBlur, measures.blur !== null && measures.blur > limits.maxBlur],
    ['too_small_in_frame', 'frameShare', measures.frameShare, limits.minFrameShare, sheet && !wholeFrame && measures.frameShare < limits.minFrameShare],
    ['too_low_resolution', 'sheetShortSidePx', measures.sheetShortSidePx, limits.minSheetShortSidePx, sheet && measures.sheetShortSidePx < limits.minSheetShortSidePx],
    ['not_an_invoice', 'printDensity', measures.printDensity, limits.minPrintDensity, !printed],
  ];
  const reasons = failing
    .filter(([, , , , fails]) => fails)
    .map(([code, measure, measured, limit]) => ({ code, measure, measured, limit, message: MESSAGES[code](measures) }));
  return { usable: reasons.length === 0, reasons, measures };
}

/** OCR of a photo that looked usable found no invoice on it. */
export function noInvoiceRead(quality: PhotoQuality): PhotoQuality {
  const issue: PhotoQualityIssue = {
    code: 'not_an_invoice',
    measure: 'printDensity',
    measured: quality.measures.printDensity,
    limit: QUALITY_LIMITS.minPrintDensity,
    message: 'the print on the sheet was read, but it is not an invoice',
  };
  return { ...quality, usable: false, reasons: [issue] };
}
