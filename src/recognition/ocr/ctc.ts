export interface DecodedText {
  readonly text: string;
  /** Mean probability of the emitted characters; 0 for an empty read. */
  readonly confidence: number;
}

/**
 * Greedy CTC decoding of one sequence of class probabilities (PaddleOCR convention: class 0 is the
 * blank, class i is dictionary[i - 1], the class after the dictionary is a space).
 */
export function decodeCtc(probabilities: Float32Array, steps: number, classes: number, dictionary: readonly string[]): DecodedText {
  let text = '';
  let confidenceSum = 0;
  let emitted = 0;
  let previous = -1;
  for (let t = 0; t < steps; t++) {
    const offset = t * classes;
    let best = 0;
    let bestP = probabilities[offset]!;
    for (let c = 1; c < classes; c++) {
      const p = probabilities[offset + c]!;
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    if (best !== 0 && best !== previous) {
      text += best <= dictionary.length ? dictionary[best - 1]! : ' ';
      confidenceSum += bestP;
      emitted++;
    }
    previous = best;
  }
  return { text, confidence: emitted === 0 ? 0 : confidenceSum / emitted };
}
