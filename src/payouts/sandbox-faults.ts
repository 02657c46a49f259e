/**
 * The sandbox's fault configuration and the draws that apply it. Deterministic given `random`: every
 * verified request takes exactly two numbers, first for its latency, then for its fault.
 */
import { DEFINITE_TRANSFER_FAILURES, SUB_SYSTEM_ERROR, type DefiniteTransferFailure } from './protocol.ts';

/** A forced answer for new transfers to one payee: a definite refusal, or SYSTEM_ERROR before applying. */
export type SandboxForcedOutcome = DefiniteTransferFailure | typeof SUB_SYSTEM_ERROR;

export interface SandboxFaults {
  /** Every verified request waits a uniform whole number of ms in [min, max] before it is handled. */
  latencyMs?: readonly [number, number];
  /** Rates in 0..1 for transfers; at most one fault per request, so they must add up to at most 1. */
  http5xx?: number;
  systemErrorBeforeApply?: number;
  /** Refuses a new transfer with PAYEE_USER_INFO_ERROR, paying nothing. */
  definiteFailure?: number;
  /** Pays, then answers SYSTEM_ERROR. */
  systemErrorAfterApply?: number;
  /** Pays, then holds the answer `holdMs` (past the client's timeout) before sending it late. */
  timeoutAfterApply?: number;
  /** Pays, then destroys the connection without an answer. */
  dropConnectionAfterApply?: number;
  /** Rate (0..1) of queries answered 20000 (service unavailable). */
  querySystemError?: number;
  /** How long a `timeoutAfterApply` answer is held; default 30 s. */
  holdMs?: number;
  /** By payee user id, for new transfers: always this answer (e.g. PAYEE_NOT_EXIST). */
  forcedOutcomes?: Readonly<Record<string, SandboxForcedOutcome>>;
}

export const TRANSFER_FAULTS = ['http5xx', 'systemErrorBeforeApply', 'definiteFailure', 'systemErrorAfterApply', 'timeoutAfterApply', 'dropConnectionAfterApply'] as const;
export type TransferFault = (typeof TRANSFER_FAULTS)[number];

export const DEFAULT_HOLD_MS = 30_000;
/** Explicit limits: nobody needs a sandbox slower than this. */
export const MAX_LATENCY_MS = 60_000;
export const MAX_HOLD_MS = 600_000;

const FORCEABLE = new Set<string>([...DEFINITE_TRANSFER_FAILURES, SUB_SYSTEM_ERROR]);

/** A copy of the configuration, checked; throws RangeError on a rate outside 0..1, bad latency or hold. */
export function checkedFaults(faults: SandboxFaults = {}): SandboxFaults {
  let total = 0;
  for (const name of [...TRANSFER_FAULTS, 'querySystemError'] as const) {
    const rate = faults[name] ?? 0;
    if (!Number.isFinite(rate) || rate < 0 || rate > 1) throw new RangeError(`fault rate ${name} must be in 0..1, not ${rate}`);
    if (name !== 'querySystemError') total += rate;
  }
  if (total > 1 + 1e-9) throw new RangeError(`transfer fault rates add up to ${total}; at most one fault applies per request, so at most 1`);
  const [min, max] = faults.latencyMs ?? [0, 0];
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < min || max > MAX_LATENCY_MS) {
    throw new RangeError(`latencyMs must be whole [min, max] with 0 <= min <= max <= ${MAX_LATENCY_MS}`);
  }
  const holdMs = faults.holdMs ?? DEFAULT_HOLD_MS;
  if (!Number.isInteger(holdMs) || holdMs < 0 || holdMs > MAX_HOLD_MS) throw new RangeError(`holdMs must be whole in 0..${MAX_HOLD_MS}`);
  for (const [payee, outcome] of Object.entries(faults.forcedOutcomes ?? {})) {
    if (!FORCEABLE.has(outcome)) throw new RangeError(`forced outcome for ${payee} must be SYSTEM_ERROR or a definite failure code, not ${outcome}`);
  }
  return { ...faults, latencyMs: [min, max], holdMs, forcedOutcomes: { ...faults.forcedOutcomes } };
}

export function drawLatencyMs(faults: SandboxFaults, random: () => number): number {
  const [min, max] = faults.latencyMs ?? [0, 0];
  return min + Math.min(max - min, Math.floor(random() * (max - min + 1)));
}

/** One draw, walked through the cumulative rates in TRANSFER_FAULTS order. */
export function drawTransferFault(faults: SandboxFaults, random: () => number): TransferFault | null {
  const r = random();
  let edge = 0;
  for (const name of TRANSFER_FAULTS) {
    edge += faults[name] ?? 0;
    if (r < edge) return name;
  }
  return null;
}

export function drawQueryFault(faults: SandboxFaults, random: () => number): boolean {
  return random() < (faults.querySystemError ?? 0);
}
