import zxingLibrary from '@zxing/library';
import jsQRModule from 'jsqr';
import { resizeGrey } from './input.ts';
import type { GreyImage } from './ocr/grey-image.ts';

// A CommonJS package: its named exports are only reachable through the default import under ESM.
// jsqr's typings describe an ES default export; at run time the CommonJS function carries it as `.default`.
const jsQR = jsQRModule.default;
const { BinaryBitmap, ChecksumException, DecodeHintType, FormatException, HybridBinarizer, NotFoundException, QRCodeReader, RGBLuminanceSource } = zxingLibrary;

const HINTS = new Map<zxingLibrary.DecodeHintType, unknown>([[DecodeHintType.TRY_HARDER, true]]);
// Past this size a QR code's modules are already several pixels wide: upscaling only costs time.
const MAX_UPSCALED_SIDE = 2400;

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

/**
 * The text of the page's QR code, or null: ZXing first, then jsQR, then ZXing at 2× (small codes).
 * jsQR comes before the upscaled pass: on 27 generated photos it read every code ZXing missed at
 * 1× while the 2× pass read none of them, so a page with a code rarely pays for both (~200 ms each).
 */
export async function decodeQr(page: GreyImage): Promise<string | null> {
  const found = zxing(page) ?? jsqr(page);
  if (found !== null) return found;
  const factor = Math.min(2, MAX_UPSCALED_SIDE / Math.max(page.width, page.height));
  return factor > 1.2 ? zxing(await resizeGrey(page, Math.round(page.width * factor), Math.round(page.height * factor))) : null;
}
