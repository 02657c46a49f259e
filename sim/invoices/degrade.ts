import sharp from 'sharp';
import type { Picker } from './random.ts';
import { farShot, type SentAs } from './far-shot.ts';
import { warpOnto } from './perspective.ts';

/**
 * Photos the recogniser must read. `far` is the camera's own 12-MP frame; `far2000` and `far1280` are
 * far shots as they reach the server: the merchant app's 2000-px q85 (web/merchant/photos.ts) and a
 * messaging app's 1280 × 960 q50 forward. New variants go at the end: a variant's index seeds the bench.
 */
export const INVOICE_VARIANTS = ['clean', 'tilt', 'blur', 'jpeg', 'lowres', 'perspective', 'shading', 'far', 'lowres640', 'far2000', 'far1280', 'tilt8'] as const;
/**
 * Photos no one can read, each with the quality reason the recogniser must give: thresholds are
 * tuned between these and INVOICE_VARIANTS.
 */
export const UNUSABLE_VARIANTS = {
  dark: 'too_dark',
  glare: 'glare',
  shaken: 'too_blurred',
  tiny: 'too_small_in_frame',
  thumbnail: 'too_low_resolution',
  table: 'not_an_invoice',
} as const;
export type UnusableVariant = keyof typeof UNUSABLE_VARIANTS;
export type InvoiceVariant = (typeof INVOICE_VARIANTS)[number];
export type PhotoVariant = InvoiceVariant | UnusableVariant;

export interface DegradedImage {
  readonly image: Buffer;
  readonly format: 'png' | 'jpeg';
}

function shadingOverlay(width: number, height: number, rand: Picker): Buffer {
  const cx = rand.int(0, 100);
  const cy = rand.int(0, 100);
  const dark = (0.55 + rand.next() * 0.2).toFixed(2);
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><radialGradient id="g" cx="${cx}%" cy="${cy}%" r="110%"><stop offset="0" stop-color="#fffaf0"/><stop offset="1" stop-color="rgb(${Math.round(255 * Number(dark))},${Math.round(245 * Number(dark))},${Math.round(225 * Number(dark))})"/></radialGradient></defs><rect width="100%" height="100%" fill="url(#g)"/></svg>`,
  );
}

async function phoneShot(png: Buffer, width: number, height: number, rand: Picker): Promise<Buffer> {
  const source = await sharp(png).removeAlpha().raw().toBuffer();
  const canvasWidth = Math.round(width * 1.15);
  const canvasHeight = Math.round(height * 1.25);
  const desk = [rand.int(90, 150), rand.int(80, 130), rand.int(60, 110)];
  const canvas = new Uint8Array(canvasWidth * canvasHeight * 3);
  for (let i = 0; i < canvas.length; i++) canvas[i] = desk[i % 3]! + ((i * 2654435761) >>> 28);
  const jitter = (): number => (rand.next() - 0.5) * 0.1 * width;
  const left = (canvasWidth - width) / 2;
  const top = (canvasHeight - height) / 2;
  const corners: [number, number][] = [
    [left + jitter(), top + jitter()],
    [left + width + jitter(), top + jitter()],
    [left + width + jitter(), top + height + jitter()],
    [left + jitter(), top + height + jitter()],
  ];
  warpOnto({ data: new Uint8Array(source), width, height }, { data: canvas, width: canvasWidth, height: canvasHeight }, corners);
  return sharp(Buffer.from(canvas), { raw: { width: canvasWidth, height: canvasHeight, channels: 3 } })
    .composite([{ input: shadingOverlay(canvasWidth, canvasHeight, rand), blend: 'multiply' }])
    .jpeg({ quality: 85 })
    .toBuffer();
}

/**
 * The sheet about half the frame's width, turned 5–12°, in stronger perspective and shading than `far`,
 * on the textured table, then sent at `sentAs`.
 */
function farAsSent(png: Buffer, width: number, height: number, rand: Picker, sentAs: SentAs): Promise<Buffer> {
  const widthShare = 0.45 + rand.next() * 0.12;
  return farShot(png, width, height, rand, { coverage: 0, widthShare, turnDegrees: [5, 12], cornerJitter: 0.1, shadeDepth: 0.4, blurSigma: 0.6 + rand.next() * 0.6, exposure: 1, glare: false, sentAs });
}

/** A sheet turned by `min`–`max` degrees either way on a grey ground. */
async function turned(png: Buffer, rand: Picker, min: number, max: number): Promise<DegradedImage> {
  const angle = (rand.chance(0.5) ? 1 : -1) * (min + rand.next() * (max - min));
  return { image: await sharp(png).rotate(angle, { background: '#d8d4cc' }).jpeg({ quality: 90 }).toBuffer(), format: 'jpeg' };
}

/** Applies one photographic degradation to a rendered invoice (PNG, width × height). */
export async function degrade(png: Buffer, width: number, height: number, variant: PhotoVariant, rand: Picker): Promise<DegradedImage> {
  switch (variant) {
    case 'clean':
      return { image: png, format: 'png' };
    case 'tilt':
      return turned(png, rand, 3, 4);
    case 'tilt8':
      return turned(png, rand, 7, 9);
    case 'blur':
      return { image: await sharp(png).blur(1.2 + rand.next() * 0.6).jpeg({ quality: 88 }).toBuffer(), format: 'jpeg' };
    case 'jpeg':
      return { image: await sharp(png).jpeg({ quality: rand.int(18, 30) }).toBuffer(), format: 'jpeg' };
    case 'lowres': {
      const scale = 0.5 + rand.next() * 0.12;
      const image = await sharp(png).resize(Math.round(width * scale)).jpeg({ quality: 80 }).toBuffer();
      return { image, format: 'jpeg' };
    }
    case 'perspective':
      return { image: await phoneShot(png, width, height, rand), format: 'jpeg' };
    case 'far':
      return { image: await farShot(png, width, height, rand, { coverage: 0.15 + rand.next() * 0.25, blurSigma: 0.6 + rand.next() * 0.6, exposure: 1, glare: false }), format: 'jpeg' };
    case 'far2000':
      return { image: await farAsSent(png, width, height, rand, { longSide: 2000, jpegQuality: 85 }), format: 'jpeg' };
    case 'far1280':
      return { image: await farAsSent(png, width, height, rand, { longSide: 1280, jpegQuality: 50 }), format: 'jpeg' };
    case 'lowres640':
      return { image: await sharp(png).resize(640).jpeg({ quality: 85 }).toBuffer(), format: 'jpeg' };
    case 'dark':
      return { image: await farShot(png, width, height, rand, { coverage: 0.45 + rand.next() * 0.25, blurSigma: 0.8, exposure: 0.1 + rand.next() * 0.08, glare: false }), format: 'jpeg' };
    case 'glare':
      return { image: await farShot(png, width, height, rand, { coverage: 0.45 + rand.next() * 0.25, blurSigma: 0.8, exposure: 1, glare: true }), format: 'jpeg' };
    case 'shaken':
      return { image: await farShot(png, width, height, rand, { coverage: 0.45 + rand.next() * 0.25, blurSigma: 9 + rand.next() * 4, exposure: 1, glare: false }), format: 'jpeg' };
    case 'tiny':
      return { image: await farShot(png, width, height, rand, { coverage: 0.025 + rand.next() * 0.035, blurSigma: 0.8, exposure: 1, glare: false }), format: 'jpeg' };
    case 'thumbnail':
      return { image: await sharp(png).resize(rand.int(220, 320)).jpeg({ quality: 85 }).toBuffer(), format: 'jpeg' };
    case 'table':
      return { image: await farShot(png, width, height, rand, { coverage: 0.3, blurSigma: 0.8, exposure: 1, glare: false, withoutSheet: true }), format: 'jpeg' };
    case 'shading': {
      const image = await sharp(png)
        .composite([{ input: shadingOverlay(width, height, rand), blend: 'multiply' }])
        .jpeg({ quality: 85 })
        .toBuffer();
      return { image, format: 'jpeg' };
    }
  }
}
