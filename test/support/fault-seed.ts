import { seededRandom } from '../../sim/invoices/random.ts';

/**
 * The seed of a fault-injection test's randomness: CAREPOINTS_FAULT_SEED replays a run, otherwise a new
 * one each run (more of the space is tried over many runs). Tests print it and name it in failures.
 */
export function faultRandom(): { seed: number; random: () => number } {
  const given = process.env.CAREPOINTS_FAULT_SEED;
  const seed = given === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(given);
  if (!Number.isSafeInteger(seed)) throw new Error(`CAREPOINTS_FAULT_SEED must be an integer, not ${given}`);
  return { seed, random: seededRandom(seed) };
}
