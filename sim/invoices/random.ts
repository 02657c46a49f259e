/** mulberry32: small, fast and good enough for test data; the same seed always yields the same invoices. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Picker {
  readonly next: () => number;
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  digits(length: number): string;
  chance(p: number): boolean;
}

export function picker(seed: number): Picker {
  const next = seededRandom(seed);
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[int(0, items.length - 1)]!;
    },
    digits: (length) => Array.from({ length }, () => String(int(0, 9))).join(''),
    chance: (p) => next() < p,
  };
}
