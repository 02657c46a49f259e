import { checkInputSize, decodeImage, decodePreview, resizeGrey, sniffFormat, type CropBox, type InputFormat } from './input.ts';
import type { Point } from './homography.ts';
import { blockStats, BLOCK_PX, locateSheet, type SheetRegion } from './locate.ts';
import type { GreyImage } from './ocr/grey-image.ts';
import { BLUR_SHEET_SIDE, judgePhoto, measureBlur, measurePhoto, type PhotoQuality } from './quality.ts';
import { rectifySheet } from './rectify.ts';

/**
 * The long side the sheet is brought to before OCR when the photo is smaller: the recogniser's
 * text crops are then resampled from a smooth (Lanczos) enlargement, not from a few pixels per
 * character. Larger sheets are cropped at up to input.ts's working side, never enlarged.
 */
const MIN_SHEET_SIDE = 1400;
// The long side of a flattened sheet at most: input.ts's working side.
const MAX_SHEET_SIDE = 2000;
// Paper kept around the sheet's outline: the outline is found in blocks, and corners may curl.
const MARGIN_SHARE = 0.03;

export interface PreparedPhoto {
  readonly quality: PhotoQuality;
  /** The sheet, cropped from the full-resolution photo as the working grey page; null when the photo is unusable. */
  readonly page: GreyImage | null;
}

function cropAround(sheet: SheetRegion, scale: number, width: number, height: number): CropBox | undefined {
  if (sheet.wholeFrame) return undefined;
  const xs = sheet.corners.map((c) => c[0] / scale);
  const ys = sheet.corners.map((c) => c[1] / scale);
  const margin = BLOCK_PX / scale + MARGIN_SHARE * Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
  const left = Math.max(0, Math.floor(Math.min(...xs) - margin));
  const top = Math.max(0, Math.floor(Math.min(...ys) - margin));
  const right = Math.min(width, Math.ceil(Math.max(...xs) + margin));
  const bottom = Math.min(height, Math.ceil(Math.max(...ys) + margin));
  return { left, top, width: right - left, height: bottom - top };
}

/**
 * Finds the sheet in the photo, judges the photo (light, reflections, framing, resolution, print,
 * then blur on the sheet itself) and, when it is usable, decodes the sheet as the working page.
 * Needs no model: the claims pipeline also calls it to word its advice.
 */
export async function preparePhoto(input: Buffer, format: Exclude<InputFormat, 'pdf'>): Promise<PreparedPhoto> {
  const { width, height, preview } = await decodePreview(input, format);
  const scale = preview.width / width;
  const stats = blockStats(preview);
  const sheet = locateSheet(preview, stats);
  const measures = measurePhoto(preview, stats, sheet, scale);
  const first = judgePhoto(measures, sheet?.wholeFrame ?? false);
  if (!first.usable || !sheet) return { quality: first, page: null };
  const crop = cropAround(sheet, scale, width, height);
  const page = await decodeImage(input, format, crop, MIN_SHEET_SIDE);
  const shortSide = Math.min(page.width, page.height);
  const sample = shortSide === BLUR_SHEET_SIDE ? page : await resizeGrey(page, Math.round((page.width * BLUR_SHEET_SIDE) / shortSide), Math.round((page.height * BLUR_SHEET_SIDE) / shortSide));
  const quality = judgePhoto({ ...measures, blur: measureBlur(sample) }, sheet.wholeFrame);
  if (!quality.usable) return { quality, page: null };
  return { quality, page: crop ? flatSheet(page, sheet, scale, crop) : page };
}

/**
 * The sheet warped flat out of its crop (turned, seen from the side, with the table around it),
 * at the OCR's working size: deskewing can level a turned sheet but not one in perspective.
 */
function flatSheet(page: GreyImage, sheet: SheetRegion, scale: number, crop: CropBox): GreyImage {
  const toPage = page.width / crop.width;
  const corners = sheet.corners.map(([x, y]): Point => [(x / scale - crop.left) * toPage, (y / scale - crop.top) * toPage]) as [Point, Point, Point, Point];
  const longSide = Math.max(...corners.map((c, i) => Math.hypot(c[0] - corners[(i + 1) % 4]![0], c[1] - corners[(i + 1) % 4]![1])));
  return rectifySheet(page, corners, Math.min(MAX_SHEET_SIDE, Math.max(MIN_SHEET_SIDE, longSide)));
}

/** The quality of a photo file on its own, for wording advice; PDFs have none (null). */
export async function assessPhoto(input: Buffer): Promise<PhotoQuality | null> {
  checkInputSize(input);
  const format = sniffFormat(input);
  return format === 'pdf' ? null : (await preparePhoto(input, format)).quality;
}
