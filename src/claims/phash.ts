/**
 * A perceptual hash of a photo (DCT pHash): close hashes mean visually close images, whatever the
 * encoding, size or slight changes of light. It is a duplicate SIGNAL only: bills printed on one
 * hospital's template look alike too.
 */
import sharp from 'sharp';
import { MAX_INPUT_PIXELS } from '../recognition/index.ts';

const SIZE = 32;
const LOW = 8;

// cos((2x+1)uπ/2N) for the LOW frequencies that are kept, scaled so that every basis has unit
// norm (the DC row is scaled differently, and the median compares values across rows).
const BASIS: readonly Float64Array[] = Array.from({ length: LOW }, (_, u) => {
  const scale = Math.sqrt((u === 0 ? 1 : 2) / SIZE);
  return Float64Array.from({ length: SIZE }, (_, x) => scale * Math.cos(((2 * x + 1) * u * Math.PI) / (2 * SIZE)));
});

/** The LOW×LOW lowest frequencies of the 2-D DCT-II of a SIZE×SIZE greyscale image, row-major. */
function lowFrequencies(pixels: Uint8Array): number[] {
  // Separable: transform the rows first (SIZE × LOW), then the columns.
  const rows = new Float64Array(SIZE * LOW);
  for (let y = 0; y < SIZE; y++) {
    for (let v = 0; v < LOW; v++) {
      let sum = 0;
      for (let x = 0; x < SIZE; x++) sum += BASIS[v]![x]! * pixels[y * SIZE + x]!;
      rows[y * LOW + v] = sum;
    }
  }
  const out: number[] = [];
  for (let u = 0; u < LOW; u++) {
    for (let v = 0; v < LOW; v++) {
      let sum = 0;
      for (let y = 0; y < SIZE; y++) sum += BASIS[u]![y]! * rows[y * LOW + v]!;
      out.push(sum);
    }
  }
  return out;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** 64-bit pHash as 16 lower-case hex characters; rejects what sharp cannot decode, and images past the recognizer's pixel limit (not sharp's 268 MP default). */
export async function perceptualHash(image: Buffer): Promise<string> {
  const pixels = await sharp(image, { limitInputPixels: MAX_INPUT_PIXELS })
    .rotate() // honour EXIF orientation: a phone photo and its upright copy are one picture
    .flatten({ background: '#ffffff' })
    .greyscale()
    .resize(SIZE, SIZE, { fit: 'fill' })
    .raw()
    .toBuffer();
  const coefficients = lowFrequencies(new Uint8Array(pixels.buffer, pixels.byteOffset, SIZE * SIZE));
  // The DC term is the mean brightness: it would dominate the median and says nothing of the layout.
  const threshold = median(coefficients.slice(1));
  let hex = '';
  for (let nibble = 0; nibble < 16; nibble++) {
    let bits = 0;
    for (let b = 0; b < 4; b++) bits = (bits << 1) | (coefficients[nibble * 4 + b]! > threshold ? 1 : 0);
    hex += bits.toString(16);
  }
  return hex;
}

const HASH = /^[0-9a-f]{16}$/;

/** How many of the 64 bits differ between two hashes from perceptualHash. */
export function hammingDistance(a: string, b: string): number {
  if (!HASH.test(a) || !HASH.test(b)) throw new RangeError('a perceptual hash is 16 lower-case hex characters');
  let distance = 0;
  for (let i = 0; i < 16; i++) {
    let x = parseInt(a[i]!, 16) ^ parseInt(b[i]!, 16);
    for (; x !== 0; x &= x - 1) distance++;
  }
  return distance;
}
