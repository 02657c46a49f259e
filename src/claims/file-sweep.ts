/**
 * Files no claim references: a claim's uploads are stored before the transaction that records them,
 * so a submission refused there (or a crash between storing and committing) leaves files behind.
 * The sweep removes them once they are older than a grace period that no upload takes.
 */
import type pg from 'pg';
import type { FileStore } from '../storage/index.ts';

/** A stored file younger than this is left alone: its upload may still be on its way to a commit. */
export const UNREFERENCED_FILE_GRACE_MS = 60 * 60 * 1000;
/** The sweep walks the whole store, so it runs once an hour, not every periodic round. */
export const FILE_SWEEP_INTERVAL_MS = 60 * 60 * 1000;
/** Candidates checked against the database in one query. */
const SWEEP_BATCH_FILES = 500;

/**
 * The digests among `candidates` that a committed claim names. Every write of a claim's files
 * (insertClaim, replaceClaimFiles) records them in stored_files in the same transaction, and rows
 * there are never deleted: so stored_files holds each claim's files now, those a photo replacement
 * round superseded (kept as what the merchant sent) and every reimbursed photo, and an upload whose
 * transaction rolled back is absent from it.
 */
async function referenced(pool: pg.Pool, candidates: readonly string[]): Promise<Set<string>> {
  const { rows } = await pool.query<{ sha256: string }>('SELECT sha256 FROM stored_files WHERE sha256 = ANY($1::text[])', [candidates]);
  return new Set(rows.map((r) => r.sha256));
}

/** Removes the stored files older than the grace period that nothing references; returns how many. */
export async function sweepUnreferencedFiles(pool: pg.Pool, files: FileStore, now: Date): Promise<number> {
  const before = new Date(now.getTime() - UNREFERENCED_FILE_GRACE_MS);
  let removed = 0;
  const sweep = async (candidates: string[]) => {
    const kept = await referenced(pool, candidates);
    for (const sha256 of candidates) if (!kept.has(sha256) && (await files.removeIfStoredBefore(sha256, before))) removed++;
  };
  let batch: string[] = [];
  for await (const sha256 of files.storedBefore(before)) {
    batch.push(sha256);
    if (batch.length === SWEEP_BATCH_FILES) {
      await sweep(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await sweep(batch);
  return removed;
}
