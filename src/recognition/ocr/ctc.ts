export interface DecodedText {
  readonly text: string;
  /** Mean probability of the emitted characters; 0 for an empty read. */
  readonly confidence: number;
  /** What the recogniser saw, step by step, for reading again with a field's alphabet; absent for an empty read. */
  readonly steps?: CtcSteps;
}

/** A recognised sequence kept for a second, constrained reading: each step's likeliest classes. */
export interface CtcSteps {
  /** Per step, its likeliest readings (the first, and up to 4 more of at least 2%), likeliest first; '' is the blank. */
  readonly candidates: readonly (readonly StepCandidate[])[];
  /** For each character of the greedy text but spaces (as normaliseText leaves it), the step that emitted it. */
  readonly emittedAt: readonly number[];
}

export interface StepCandidate {
  readonly char: string;
  readonly probability: number;
}

// A misread character's right reading is nearly always among the step's first few classes; one
// the recogniser gave less than 2% is a guess, not a reading.
const STEP_CANDIDATES = 5;
const MIN_CANDIDATE = 0.02;

/**
 * Greedy CTC decoding of one sequence of class probabilities (PaddleOCR convention: class 0 is the
 * blank, class i is dictionary[i - 1], the class after the dictionary is a space).
 */
export function decodeCtc(probabilities: Float32Array, steps: number, classes: number, dictionary: readonly string[]): DecodedText {
  let text = '';
  let confidenceSum = 0;
  let emitted = 0;
  const emittedAt: number[] = [];
  const candidates: StepCandidate[][] = [];
  const charOf = (c: number): string => (c === 0 ? '' : c <= dictionary.length ? dictionary[c - 1]! : ' ');
  let previous = -1;
  const topClasses = new Int32Array(STEP_CANDIDATES);
  const topP = new Float32Array(STEP_CANDIDATES);
  for (let t = 0; t < steps; t++) {
    const offset = t * classes;
    topP.fill(-1);
    topClasses.fill(0);
    for (let c = 0; c < classes; c++) {
      const p = probabilities[offset + c]!;
      if (p <= topP[STEP_CANDIDATES - 1]!) continue;
      let k = STEP_CANDIDATES - 1;
      for (; k > 0 && p > topP[k - 1]!; k--) {
        topP[k] = topP[k - 1]!;
        topClasses[k] = topClasses[k - 1]!;
      }
      topP[k] = p;
      topClasses[k] = c;
    }
    const best = topClasses[0]!;
    candidates.push(Array.from(topClasses, (c, k) => ({ char: charOf(c), probability: topP[k]! })).filter((s, k) => k === 0 || s.probability >= MIN_CANDIDATE));
    if (best !== 0 && best !== previous) {
      text += charOf(best);
      confidenceSum += topP[0]!;
      emitted++;
      if (charOf(best) !== ' ') emittedAt.push(t);
    }
    previous = best;
  }
  if (emitted === 0) return { text, confidence: 0 };
  return { text, confidence: confidenceSum / emitted, steps: { candidates, emittedAt } };
}

/**
 * Reads again the characters `from` to `to` of the greedy text as normalised (spaces not counted;
 * `to` exclusive) allowing only `alphabet`: at each step the likeliest of the blank and the allowed
 * characters among its candidates. A field with a closed alphabet (capital numerals) then gets the
 * right character where the greedy reading took a look-alike (壹 read as 登), which the field's own
 * parser would refuse. Null when a step where the greedy reading saw a character has no allowed
 * candidate: dropping it would make another amount, not the printed one.
 */
export function decodeWithin(steps: CtcSteps, from: number, to: number, alphabet: (char: string) => boolean): DecodedText | null {
  if (from < 0 || from >= to || to > steps.emittedAt.length) return null;
  const first = steps.emittedAt[from]!;
  const end = steps.emittedAt[to] ?? steps.candidates.length;
  const greedySteps = new Set(steps.emittedAt.slice(from, to));
  let out = '';
  let confidenceSum = 0;
  let emitted = 0;
  let previous = '';
  for (let t = first; t < end; t++) {
    const step = steps.candidates[t]!;
    // where the greedy reading saw a character there is one: an allowed candidate, never a blank
    const chosen = greedySteps.has(t) ? step.find((s) => s.char !== '' && alphabet(s.char)) : step.find((s) => s.char === '' || alphabet(s.char));
    if (chosen === undefined && step[0]!.char !== '') return null;
    const char = chosen?.char ?? '';
    if (char !== '' && char !== previous) {
      out += char;
      confidenceSum += chosen!.probability;
      emitted++;
    }
    previous = char;
  }
  return emitted === 0 ? null : { text: out, confidence: confidenceSum / emitted };
}
