import { addDays } from '../../src/shared/business-day.ts';

/** What a simulation is: every number that shapes the world. Same world, same outcome. */
export interface World {
  merchants: number;
  days: number;
  /** As written on the command line (广州); the registry's city is `${city}市`. */
  city: string;
  ruleset: string;
  /** Share of merchants farming credit in rings, and of claims that are forged. */
  fraudRate: number;
  seed: number;
  /** Claims a day per merchant holding credit (the programme's real rate: ~1 in 2,500). */
  claimRate: number;
  /** First simulated business day (YYYY-MM-DD, Asia/Shanghai). */
  start: string;
  /** The city's credit budget for each month the world spans, in fen (none: no budget). */
  budgetFen?: number;
}

export const DEFAULT_CLAIM_RATE = 1 / 2_500;
export const DEFAULT_FRAUD_RATE = 0.02;
export const DEFAULT_START = '2026-03-02';

/** The simulated day `day` (0-based) as YYYY-MM-DD. */
export function dayOf(world: Pick<World, 'start'>, day: number): string {
  return addDays(world.start, day);
}
