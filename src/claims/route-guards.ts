/** What the claim routes check before they act: the recognition queue's room, the claim the caller may see; and storing an upload's files. */
import type { FastifyRequest } from 'fastify';
import type pg from 'pg';
import { ApiError } from '../http/errors.ts';
import { liveJobsOf } from '../jobs/index.ts';
import { onlyRow } from '../shared/assert.ts';
import type { FileStore } from '../storage/index.ts';
import { CLAIM_TASKS } from './pipeline.ts';
import type { Upload } from './submission.ts';
import { getClaim, type Claim, type ClaimFile } from './store.ts';

type Queryable = Pick<pg.Pool, 'query'>;

/** Claims waiting to be read, per merchant: past it a submission answers 429. */
export const MAX_WAITING_CLAIMS_PER_MERCHANT = 4;
/** Claims waiting to be read, all merchants together: past it a submission answers 503. */
export const MAX_WAITING_CLAIMS = 200;
/** When a refused submission is told to come back: about the time a few claims take to be read. */
export const WAITING_RETRY_AFTER_SECONDS = 30;

/**
 * Refuses a submission that would put more claims in the recognition queue than the bounds allow.
 * In a transaction, the merchant's lock serialises its submissions, so parallel ones cannot all
 * pass the count; the overall bound may be passed by the few submissions racing at that instant.
 */
export async function checkRecognitionRoom(db: Queryable, merchantId: number, options: { lock: boolean }): Promise<void> {
  if (options.lock) await db.query("SELECT pg_advisory_xact_lock(hashtextextended('claims_waiting:' || $1::text, 0))", [merchantId]);
  // the merchant's own claims waiting, read in its shard; the overall queue from the job queue (not a
  // count across every merchant's claims on each submission)
  const { rows } = await db.query<{ mine: number }>("SELECT count(*)::int AS mine FROM claims WHERE merchant_id = $1 AND status = 'submitted'", [merchantId]);
  const mine = onlyRow(rows, 'the count of claims waiting').mine;
  if (mine >= MAX_WAITING_CLAIMS_PER_MERCHANT) {
    throw new ApiError(429, 'too_many_claims_waiting', `${mine} of your claims are waiting to be read (at most ${MAX_WAITING_CLAIMS_PER_MERCHANT}); send this one when they are`, undefined, WAITING_RETRY_AFTER_SECONDS);
  }
  const all = await liveJobsOf(db, CLAIM_TASKS.recognize);
  if (all >= MAX_WAITING_CLAIMS) {
    throw new ApiError(503, 'recognition_busy', `${all} claims are waiting to be read (at most ${MAX_WAITING_CLAIMS}); retry in ${WAITING_RETRY_AFTER_SECONDS} s`, undefined, WAITING_RETRY_AFTER_SECONDS);
  }
}

/** A merchant sees only its own claims: another merchant's claim id answers 404, as a missing one does. */
export async function visibleClaim(pool: pg.Pool, request: FastifyRequest, claimId: string): Promise<Claim> {
  const principal = request.principal!;
  const claim = await getClaim(pool, claimId, principal.kind === 'merchant' ? principal.merchantId : undefined);
  if (!claim) throw new ApiError(404, 'claim_not_found', `no claim ${claimId}`, 'id');
  return claim;
}

/** A merchant is shown the merchant's view of a claim (schema.ts claimJson); staff the whole. */
export const audience = (request: FastifyRequest): { forMerchant: boolean } => ({ forMerchant: request.principal?.kind === 'merchant' });

/** The upload's files into the file store (content-addressed: the same bytes are stored once). */
export function storeFiles(files: FileStore, upload: Upload): Promise<ClaimFile[]> {
  return Promise.all(upload.files.map(async (f) => ({ sha256: await files.put(f.bytes), mediaType: f.mediaType, sizeBytes: f.sizeBytes, role: f.role })));
}
