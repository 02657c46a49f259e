import sharp, { type Metadata, type Sharp } from 'sharp';
import { RecognitionError } from './errors.ts';
import { PREVIEW_SIDE, type RgbImage } from './locate.ts';
import type { GreyImage } from './ocr/grey-image.ts';

export const MAX_INPUT_BYTES = 15 * 1024 * 1024;
export const MAX_INPUT_PIXELS = 40_000_000;
/** Working resolution: enough for 2–3 mm characters on a phone photo of an A5 bill, bounded cost. */
const MAX_WORKING_SIDE = 2000;

export type InputFormat = 'jpeg' | 'png' | 'webp' | 'heic' | 'avif' | 'pdf';

function startsWith(input: Buffer, bytes: readonly number[], at = 0): boolean {
  return bytes.every((b, i) => input[at + i] === b);
}

/** Identifies the format from the magic bytes: file names and MIME types are not trusted. */
export function sniffFormat(input: Buffer): InputFormat {
  if (input.length === 0) throw new RecognitionError('empty_file', 'the file is empty');
  if (startsWith(input, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(input, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (input.toString('latin1', 0, 4) === 'RIFF' && input.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  if (input.toString('latin1', 0, 5) === '%PDF-') return 'pdf';
  if (input.toString('latin1', 4, 8) === 'ftyp') {
    const brand = input.toString('latin1', 8, 12);
    if (brand === 'avif' || brand === 'avis') return 'avif';
    if (['heic', 'heix', 'hevc', 'heim', 'heis', 'mif1', 'msf1'].includes(brand)) return 'heic';
  }
  throw new RecognitionError('unsupported_format', 'not a JPEG, PNG, WebP, HEIC/AVIF image or PDF');
}

export function checkInputSize(input: Buffer): void {
  if (input.length === 0) throw new RecognitionError('empty_file', 'the file is empty');
  if (input.length > MAX_INPUT_BYTES) {
    throw new RecognitionError('file_too_large', `the file has ${input.length} bytes; at most ${MAX_INPUT_BYTES} are accepted`);
  }
}

function decodeError(err: unknown, format: InputFormat): RecognitionError {
  const message = err instanceof Error ? err.message : String(err);
  if (/premature end|truncated|unexpected end|end of file|EOF|Read error/i.test(message)) {
    return new RecognitionError('truncated', `the ${format} file is truncated`, { cause: err });
  }
  if (/pixel limit/i.test(message)) {
    return new RecognitionError('image_too_large', `the image has more than ${MAX_INPUT_PIXELS} pixels`, { cause: err });
  }
  // sharp's prebuilt libvips reads AVIF but has no HEVC decoder (patents): every HEIC ends here.
  if (format === 'heic') {
    return new RecognitionError('unsupported_format', 'HEIC (HEVC-coded) images cannot be decoded by this build; send JPEG or PNG', { cause: err });
  }
  return new RecognitionError('corrupt', `the ${format} file cannot be decoded: ${message}`, { cause: err });
}

/** Refuses decompression bombs from the header alone, before any pixel is allocated; the upright size. */
async function uprightSize(input: Buffer, format: Exclude<InputFormat, 'pdf'>): Promise<{ width: number; height: number }> {
  let meta: Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
  } catch (err) {
    throw decodeError(err, format);
  }
  const { width, height } = meta;
  if (!width || !height) throw new RecognitionError('corrupt', `the ${format} file has no image dimensions`);
  if (width * height > MAX_INPUT_PIXELS) {
    throw new RecognitionError('image_too_large', `the image is ${width}×${height}; at most ${MAX_INPUT_PIXELS} pixels are accepted`);
  }
  // EXIF orientations 5–8 turn the picture a quarter: its upright width is the stored height.
  return (meta.orientation ?? 1) >= 5 ? { width: height, height: width } : { width, height };
}

function upright(input: Buffer): Sharp {
  return sharp(input, { limitInputPixels: MAX_INPUT_PIXELS }).rotate().flatten({ background: '#ffffff' });
}

export interface DecodedPhoto {
  /** Upright size of the photo in pixels. */
  readonly width: number;
  readonly height: number;
  /** The photo in colour, long side at most PREVIEW_SIDE: where the sheet is found and the light judged. */
  readonly preview: RgbImage;
}

/** Decodes a small colour preview of the photo (JPEG shrink-on-load makes this cheap even at 12 MP). */
export async function decodePreview(input: Buffer, format: Exclude<InputFormat, 'pdf'>): Promise<DecodedPhoto> {
  const size = await uprightSize(input, format);
  try {
    const { data, info } = await upright(input)
      .resize({ width: PREVIEW_SIDE, height: PREVIEW_SIDE, fit: 'inside', withoutEnlargement: true })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { ...size, preview: { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) } };
  } catch (err) {
    throw decodeError(err, format);
  }
}

export interface CropBox {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Decodes `crop` of the upright photo (all of it by default) into the working grey page, its long
 * side brought into [minSide, MAX_WORKING_SIDE]. The red channel is the grey: red seal ink is nearly
 * white in it, so a seal stamped over black text mostly drops out, while text under translucent ink
 * keeps a trace.
 */
export async function decodeImage(input: Buffer, format: Exclude<InputFormat, 'pdf'>, crop?: CropBox, minSide = 0): Promise<GreyImage> {
  const size = await uprightSize(input, format);
  const region = crop ?? { left: 0, top: 0, ...size };
  const longSide = Math.max(region.width, region.height);
  const target = Math.min(MAX_WORKING_SIDE, Math.max(minSide, longSide));
  try {
    let pipeline = upright(input);
    if (crop) pipeline = pipeline.extract(crop);
    if (target !== longSide) pipeline = pipeline.resize({ width: target, height: target, fit: 'inside' });
    const { data, info } = await pipeline.toColourspace('srgb').extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (err) {
    throw decodeError(err, format);
  }
}

/** Resizes a grey page (also up: small photos get a usable detector input). */
export async function resizeGrey(image: GreyImage, width: number, height: number): Promise<GreyImage> {
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 1 } })
    .resize(width, height, { fit: 'fill' })
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** Scales a page down to the working resolution decodeImage produces. */
export async function fitWorkingSize(image: GreyImage): Promise<GreyImage> {
  const scale = MAX_WORKING_SIDE / Math.max(image.width, image.height);
  return scale >= 1 ? image : resizeGrey(image, Math.round(image.width * scale), Math.round(image.height * scale));
}

/** Rotates clockwise by `degrees`, filling the new corners with white. */
export async function rotateGrey(image: GreyImage, degrees: number): Promise<GreyImage> {
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 1 } })
    .rotate(degrees, { background: { r: 255, g: 255, b: 255 } })
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
