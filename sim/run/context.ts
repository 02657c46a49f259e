import type pg from 'pg';
import type { FileStore } from '../../src/storage/index.ts';
import type { VerifierSandbox } from '../../src/verification/index.ts';
import type { CityHospitals } from '../world/claims.ts';
import type { World } from '../world/world.ts';
import type { Progress } from './progress.ts';

/** What every phase of a simulated day works with. */
export interface SimContext {
  pool: pg.Pool;
  world: World;
  progress: Progress;
  hospitals: CityHospitals;
  files: FileStore;
  /** Notifications a payment batch closes at (default 9,000; a merchant's day is never split between two). */
  batchNotifications?: number;
  /** The sandbox verification service the claim workers ask: every bill a claim shows is issued to it first (the demo city asks none). */
  verifier?: VerifierSandbox;
  /** The simulated clock the claim workers read. */
  clock: { now: Date };
  /** True once the user asked to stop (Ctrl-C): phases stop between two transactions. */
  stopping(): boolean;
}

export class SimulationInterrupted extends Error {
  constructor(
    readonly day: number,
    readonly phase: string,
  ) {
    super(`interrupted on day ${day + 1} during ${phase}`);
    this.name = 'SimulationInterrupted';
  }
}

export function checkStop(ctx: SimContext, day: number, phase: string): void {
  if (ctx.stopping()) throw new SimulationInterrupted(day, phase);
}
