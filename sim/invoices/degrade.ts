import sharp from 'sharp';
import type { Picker } from './random.ts';
import { warpOnto } from './perspective.ts';

export const INVOICE_VARIANTS = ['clean', 'tilt', 'blur', 'jpeg', 'lowres', 'perspective', 'shading'] as const;
export type InvoiceVariant = (typeof INVOICE_VARIANTS)[number];

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

/** Applies one photographic degradation to a rendered invoice (PNG, width × height). */
export async function degrade(png: Buffer, width: number, height: number, variant: InvoiceVariant, rand: Picker): Promise<DegradedImage> {
  switch (variant) {
    case 'clean':
      return { image: png, format: 'png' };
    case 'tilt': {
      const angle = (rand.chance(0.5) ? 1 : -1) * (3 + rand.next());
      const image = await sharp(png).rotate(angle, { background: '#d8d4cc' }).jpeg({ quality: 90 }).toBuffer();
      return { image, format: 'jpeg' };
    }
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
    case 'shading': {
      const image = await sharp(png)
        .composite([{ input: shadingOverlay(width, height, rand), blend: 'multiply' }])
        .jpeg({ quality: 85 })
        .toBuffer();
      return { image, format: 'jpeg' };
    }
  }
}
