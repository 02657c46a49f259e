/**
 * Which paid claims are audited (docs/claims.md "Audits after payment"): every machine-approved claim
 * that paid at least `alwaysFromFen`, and of the others a share drawn by a keyed hash of the claim's
 * id. The hash makes the draw a function of the claim alone: a replayed settlement, a second worker or
 * the simulator draw the same claims; the key keeps a merchant from telling in advance which claims
 * will be looked at (without it, anyone could compute the draw from the id the app shows).
 */
import { createHmac } from 'node:crypto';
import type { AuditSampling } from '../config/config.ts';

/** `verification`: the invoice's issuer contradicted the claim after it was paid (src/claims/verification-store.ts), whoever approved it. */
export type DrawnBecause = 'sample' | 'amount' | 'verification';

/** 48 bits of the hash as a number in [0, 1): exact in a double. */
const HASH_BITS = 48;

/** Where the claim falls in [0, 1): the same claim and key give the same point. */
export function samplePoint(claimId: string, key: string): number {
  return createHmac('sha256', key).update(claimId).digest().readUIntBE(0, HASH_BITS / 8) / 2 ** HASH_BITS;
}

/** Why a paid machine-approved claim is audited, or null when it is not. */
export function auditDraw(claimId: string, paidFen: number, sampling: AuditSampling): Exclude<DrawnBecause, 'verification'> | null {
  if (paidFen >= sampling.alwaysFromFen) return 'amount';
  return samplePoint(claimId, sampling.key) < sampling.share ? 'sample' : null;
}
