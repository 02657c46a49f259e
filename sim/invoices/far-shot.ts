import sharp, { type OverlayOptions } from 'sharp';
import { warpOnto } from './perspective.ts';
import type { Picker } from './random.ts';

/** A 12-megapixel phone frame (4032 × 3024), turned to the sheet's orientation. */
const FRAME_LONG = 4032;
const FRAME_SHORT = 3024;

/** How the phone sends the frame: scaled down to this long side and re-encoded (the merchant app: 2000 px, q85). */
export interface SentAs {
  readonly longSide: number;
  readonly jpegQuality: number;
}

export interface FarShotOptions {
  /** Share of the frame's area the sheet covers; or, with `widthShare`, of the frame's width. */
  readonly coverage: number;
  readonly widthShare?: number;
  /** The sheet's turn in the frame, drawn between these degrees either way; 1–6° by default. */
  readonly turnDegrees?: readonly [number, number];
  /** How far each corner strays (perspective), as a share of the sheet's width; 0.06 by default. */
  readonly cornerJitter?: number;
  /** How dark the far side of the light's falloff is (0 none, 1 black); 0.28 by default. */
  readonly shadeDepth?: number;
  /** Downscaled and re-encoded as a phone app sends it; the full 12-MP frame at q88 otherwise. */
  readonly sentAs?: SentAs;
  /** Gaussian blur of the whole frame (camera shake, focus), in frame pixels. */
  readonly blurSigma: number;
  /** Multiplies every pixel: below 1 a dim room. */
  readonly exposure: number;
  /** A specular highlight over the sheet (light reflected by glossy paper). */
  readonly glare: boolean;
  /** Leave the sheet out: a photo of the table only. */
  readonly withoutSheet?: boolean;
}

function rgb(rand: Picker, min: number, max: number): string {
  return `rgb(${rand.int(min, max)},${rand.int(min, max)},${rand.int(min, max)})`;
}

/** A table top (wood grain or a plain cloth) with things lying on it: a phone, a pen, a mug, keys, a box. */
function tableSvg(width: number, height: number, rand: Picker): string {
  const base = [rand.int(95, 160), rand.int(75, 125), rand.int(50, 100)];
  const parts: string[] = [`<rect width="100%" height="100%" fill="rgb(${base.join(',')})"/>`];
  for (let i = 0; i < 40; i++) {
    const y = rand.int(0, height);
    const shade = rand.int(-25, 25);
    parts.push(`<rect x="0" y="${y}" width="${width}" height="${rand.int(6, 40)}" fill="rgb(${base.map((c) => Math.max(0, Math.min(255, c + shade))).join(',')})" opacity="0.5"/>`);
  }
  const things = rand.int(4, 8);
  for (let i = 0; i < things; i++) {
    const x = rand.int(0, width);
    const y = rand.int(0, height);
    const angle = rand.int(0, 179);
    switch (rand.int(0, 4)) {
      case 0: // a phone, face down
        parts.push(`<rect x="${x}" y="${y}" width="${rand.int(380, 460)}" height="${rand.int(780, 900)}" rx="60" fill="${rgb(rand, 20, 70)}" transform="rotate(${angle} ${x} ${y})"/>`);
        break;
      case 1: // a pen
        parts.push(`<rect x="${x}" y="${y}" width="${rand.int(700, 1000)}" height="${rand.int(40, 60)}" rx="20" fill="${rgb(rand, 10, 200)}" transform="rotate(${angle} ${x} ${y})"/>`);
        break;
      case 2: // a mug seen from above
        parts.push(`<circle cx="${x}" cy="${y}" r="${rand.int(220, 320)}" fill="${rgb(rand, 40, 190)}"/><circle cx="${x}" cy="${y}" r="${rand.int(150, 200)}" fill="${rgb(rand, 20, 90)}"/>`);
        break;
      case 3: // keys
        for (let k = 0; k < 3; k++) parts.push(`<ellipse cx="${x + k * 60}" cy="${y + k * 40}" rx="120" ry="40" fill="${rgb(rand, 110, 170)}" transform="rotate(${angle + k * 25} ${x} ${y})"/>`);
        break;
      default: // a medicine box, printed
        parts.push(
          `<g transform="rotate(${angle} ${x} ${y})"><rect x="${x}" y="${y}" width="${rand.int(500, 800)}" height="${rand.int(250, 400)}" fill="${rgb(rand, 60, 200)}"/><rect x="${x + 40}" y="${y + 60}" width="300" height="50" fill="${rgb(rand, 10, 80)}"/></g>`,
        );
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

/** Light falling off across the table, down to 1 − `depth` of full light on the far side. */
function falloffSvg(width: number, height: number, rand: Picker, depth: number): string {
  const far = (c: number): number => Math.round(c * (1 - depth));
  const gradient = `<radialGradient id="l" cx="${rand.int(0, 100)}%" cy="${rand.int(0, 100)}%" r="120%"><stop offset="0" stop-color="#f6f2ea"/><stop offset="1" stop-color="rgb(${far(255)},${far(245)},${far(228)})"/></radialGradient>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs>${gradient}</defs><rect width="100%" height="100%" fill="url(#l)"/></svg>`;
}

/** A lamp reflected by glossy paper: a white hotspot with a soft rim. */
function glareSvg(width: number, height: number, at: readonly [number, number], radius: number): string {
  const gradient = `<radialGradient id="g"><stop offset="0" stop-color="#fff" stop-opacity="1"/><stop offset="0.55" stop-color="#fff" stop-opacity="1"/><stop offset="1" stop-color="#fff" stop-opacity="0"/></radialGradient>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs>${gradient}</defs><ellipse cx="${at[0]}" cy="${at[1]}" rx="${radius * 1.4}" ry="${radius}" fill="url(#g)"/></svg>`;
}

/**
 * A phone photo of the sheet lying on a cluttered table, taken from further away: the sheet covers
 * `coverage` of a 12-megapixel frame, turned by a few degrees and seen slightly from the side.
 */
export async function farShot(png: Buffer, width: number, height: number, rand: Picker, options: FarShotOptions): Promise<Buffer> {
  const portrait = height > width;
  const frameWidth = portrait ? FRAME_SHORT : FRAME_LONG;
  const frameHeight = portrait ? FRAME_LONG : FRAME_SHORT;
  const table = await sharp(Buffer.from(tableSvg(frameWidth, frameHeight, rand))).removeAlpha().raw().toBuffer();
  const canvas = new Uint8Array(table.buffer, table.byteOffset, table.length);
  const scale = options.widthShare === undefined ? Math.sqrt((options.coverage * frameWidth * frameHeight) / (width * height)) : (options.widthShare * frameWidth) / width;
  const sheetWidth = width * scale;
  const sheetHeight = height * scale;
  const [minTurn, maxTurn] = options.turnDegrees ?? [1, 6];
  const angle = ((rand.chance(0.5) ? 1 : -1) * (minTurn + rand.next() * (maxTurn - minTurn)) * Math.PI) / 180;
  const cx = frameWidth / 2 + (rand.next() - 0.5) * Math.max(0, frameWidth - sheetWidth * 1.2) * 0.8;
  const cy = frameHeight / 2 + (rand.next() - 0.5) * Math.max(0, frameHeight - sheetHeight * 1.2) * 0.8;
  const jitter = (): number => (rand.next() - 0.5) * (options.cornerJitter ?? 0.06) * sheetWidth;
  const corner = (u: number, v: number): [number, number] => {
    const dx = (u - 0.5) * sheetWidth;
    const dy = (v - 0.5) * sheetHeight;
    return [cx + dx * Math.cos(angle) - dy * Math.sin(angle) + jitter(), cy + dx * Math.sin(angle) + dy * Math.cos(angle) + jitter()];
  };
  if (!options.withoutSheet) {
    const source = await sharp(png).removeAlpha().raw().toBuffer();
    warpOnto({ data: new Uint8Array(source), width, height }, { data: canvas, width: frameWidth, height: frameHeight }, [corner(0, 0), corner(1, 0), corner(1, 1), corner(0, 1)]);
  }
  // Sensor noise, a little stronger in a dim room.
  const noise = options.exposure < 0.5 ? 14 : 6;
  for (let i = 0; i < canvas.length; i++) canvas[i] = Math.max(0, Math.min(255, canvas[i]! + ((((i * 2654435761) >>> 0) % (2 * noise + 1)) - noise)));
  const overlays: OverlayOptions[] = [{ input: Buffer.from(falloffSvg(frameWidth, frameHeight, rand, options.shadeDepth ?? 0.28)), blend: 'multiply' }];
  if (options.glare) {
    const at = corner(0.2 + rand.next() * 0.6, 0.25 + rand.next() * 0.5);
    overlays.push({ input: Buffer.from(glareSvg(frameWidth, frameHeight, at, sheetHeight * (0.3 + rand.next() * 0.1))), blend: 'screen' });
  }
  const raw = { width: frameWidth, height: frameHeight, channels: 3 } as const;
  // sharp applies a composite after every other operation: blur and exposure need a second pass.
  const lit = await sharp(Buffer.from(canvas.buffer, canvas.byteOffset, canvas.length), { raw }).composite(overlays).removeAlpha().raw().toBuffer();
  let photo = sharp(lit, { raw });
  if (options.blurSigma > 0.3) photo = photo.blur(options.blurSigma);
  if (options.exposure !== 1) photo = photo.linear(options.exposure, 0);
  if (!options.sentAs) return photo.jpeg({ quality: 88 }).toBuffer();
  // The camera's own JPEG first, then the app's downscale and re-encoding of it: compressed twice, as sent.
  const camera = await photo.jpeg({ quality: 92 }).toBuffer();
  const { longSide, jpegQuality } = options.sentAs;
  return sharp(camera).resize(longSide, longSide, { fit: 'inside' }).jpeg({ quality: jpegQuality }).toBuffer();
}
