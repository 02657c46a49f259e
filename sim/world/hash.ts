/**
 * Stateless draws: every fact of the simulated world is a hash of the seed and the thing it is about
 * (merchant, day, payment), so any part of the world can be generated on its own, in any order, and
 * a resumed run regenerates exactly what an interrupted one would have.
 */
export function mix(...parts: readonly number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    let k = Math.imul(part | 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
    // numbers above 2^32 (seeds, large indices) contribute their high half too
    const high = Math.floor(part / 0x1_0000_0000);
    if (high) h ^= Math.imul(high, 0x85ebca6b);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform draw in [0, 1) for the parts. */
export function uniform(...parts: readonly number[]): number {
  return mix(...parts) / 0x1_0000_0000;
}

/** Topics keep the draws about one thing apart from the draws about another. */
export const TOPIC = {
  enrolment: 1,
  tier: 2,
  collector: 3,
  payments: 4,
  ring: 5,
  ringNumber: 6,
  collectDay: 7,
  claim: 8,
  forged: 9,
  photo: 10,
  fanOut: 11,
  name: 12,
  appeal: 13,
} as const;
