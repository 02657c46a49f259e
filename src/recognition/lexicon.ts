import type { CtcSteps } from './ocr/ctc.ts';

/** Where a reading sits in its OCR piece: the recogniser's steps behind it, and its first character's index. */
export interface ReadingSteps {
  readonly steps: CtcSteps;
  readonly offset: number;
}

/**
 * The one entry of a closed list (item names, insurance types) a reading denotes, judged by what the
 * recogniser saw: an entry of the same length whose every differing character was among the
 * candidates of the step that read it (察 behind 诊痛费's 痛) is a reading of it; differences the
 * candidates do not back are allowed only in long names (one from 8 characters on: 城多划民… for
 * 城乡居民…, where 乡 and 险 were candidates and 居 was not), and never more than a third of the
 * name. Null when the reading is an entry, none fits, or two fit equally.
 */
export function entryBehindReading(reading: string, at: ReadingSteps, entries: readonly string[]): string | null {
  const read = [...reading];
  if (entries.includes(reading) || at.offset + read.length > at.steps.emittedAt.length) return null;
  const unbacked = read.length >= 8 ? 1 : 0;
  let best: { entry: string; unbacked: number; differences: number } | null = null;
  let tied = false;
  for (const entry of entries) {
    const chars = [...entry];
    if (chars.length !== read.length) continue;
    let differences = 0;
    let notBacked = 0;
    for (const [i, char] of chars.entries()) {
      if (char === read[i]) continue;
      differences++;
      const step = at.steps.candidates[at.steps.emittedAt[at.offset + i]!]!;
      if (!step.some((s) => s.char === char)) notBacked++;
    }
    if (notBacked > unbacked || 3 * differences > read.length) continue;
    const better = best === null || notBacked < best.unbacked || (notBacked === best.unbacked && differences < best.differences);
    if (better) {
      best = { entry, unbacked: notBacked, differences };
      tied = false;
    } else if (notBacked === best!.unbacked && differences === best!.differences) {
      tied = true;
    }
  }
  return best && !tied ? best.entry : null;
}
