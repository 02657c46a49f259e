import zxingLibrary from '@zxing/library';
import jsQRModule from 'jsqr';
import { resizeGrey } from './input.ts';
import type { Box, GreyImage } from './ocr/grey-image.ts';
import { qrRegions } from './qr-region.ts';

// A CommonJS package: its named exports are only reachable through the default import under ESM.
// jsqr's typings describe an ES default export; at run time the CommonJS function carries it as `.default`.
const jsQR = jsQRModule.default;
const { BinaryBitmap, ChecksumException, DecodeHintType, FormatException, HybridBinarizer, NotFoundException, QRCodeReader, RGBLuminanceSource } = zxingLibrary;

const HINTS = new Map<zxingLibrary.DecodeHintType, unknown>([[DecodeHintType.TRY_HARDER, true]]);
// Past this size a QR code's modules are already several pixels wide: upscaling only costs time.
const MAX_UPSCALED_SIDE = 2400;
// A region that may hold the code is enlarged to this side: some 6 pixels a module for a fiscal bill's code.
const REGION_SIDE = 720;

function zxing(image: GreyImage): string | null {
  const luminance = new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length);
  const bitmap = new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(luminance, image.width, image.height)));
  try {
    return new QRCodeReader().decode(bitmap, HINTS).getText();
  } catch (err) {
    if (err instanceof NotFoundException || err instanceof ChecksumException || err instanceof FormatException) return null;
    throw err;
  }
}

function jsqr(image: GreyImage): string | null {
  const rgba = new Uint8ClampedArray(image.width * image.height * 4);
  for (let i = 0; i < image.data.length; i++) {
    const v = image.data[i]!;
    rgba[i * 4] = v;
    rgba[i * 4 + 1] = v;
    rgba[i * 4 + 2] = v;
    rgba[i * 4 + 3] = 255;
  }
  return jsQR(rgba, image.width, image.height, { inversionAttempts: 'dontInvert' })?.data ?? null;
}

function cropGrey(page: GreyImage, box: Box): GreyImage {
  const width = box.x1 - box.x0;
  const height = box.y1 - box.y0;
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) data.set(page.data.subarray((box.y0 + y) * page.width + box.x0, (box.y0 + y) * page.width + box.x1), y * width);
  return { width, height, data };
}

/** Each region that may hold the code, cut out and enlarged: a far shot's code is too small on the whole page. */
async function decodeRegions(page: GreyImage): Promise<string | null> {
  for (const box of qrRegions(page)) {
    const region = cropGrey(page, box);
    const factor = REGION_SIDE / Math.max(region.width, region.height);
    const enlarged = factor > 1 ? await resizeGrey(region, Math.round(region.width * factor), Math.round(region.height * factor)) : region;
    const found = zxing(enlarged) ?? jsqr(enlarged);
    if (found !== null) return found;
  }
  return null;
}

/**
 * The text of the page's QR code, or null: ZXing first, then jsQR, then both on each region that
 * may hold a code, enlarged, then ZXing on the whole page at 2×. jsQR comes before the enlarged
 * passes: on 27 generated photos it read every code ZXing missed at 1×, so a page with a code
 * rarely pays for more (~200 ms for the whole page at 2×, tens of ms for a region).
 */
export async function decodeQr(page: GreyImage): Promise<string | null> {
  const found = zxing(page) ?? jsqr(page) ?? (await decodeRegions(page));
  if (found !== null) return found;
  const factor = Math.min(2, MAX_UPSCALED_SIDE / Math.max(page.width, page.height));
  return factor > 1.2 ? zxing(await resizeGrey(page, Math.round(page.width * factor), Math.round(page.height * factor))) : null;
}
