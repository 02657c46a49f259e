/** Appeals in PostgreSQL (claim_appeals, migration 0035): one row per appealed claim, its outcome written by the deciding reviewer. */
import type pg from 'pg';
import { invariant } from '../shared/assert.ts';
import type { ClaimFile } from './store.ts';

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

export interface Appeal {
  merchantId: number;
  claimId: string;
  appealedAt: Date;
  message: string;
  refusedBy: string;
  refusedReasonCodes: string[];
  previousFiles: ClaimFile[];
  outcome: 'approved' | 'rejected' | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  reasonCode: string | null;
  messageToMerchant: string | null;
}

const COLUMNS = `merchant_id::int AS "merchantId", claim_id::text AS "claimId", appealed_at AS "appealedAt", message, refused_by AS "refusedBy",
  refused_reason_codes AS "refusedReasonCodes", previous_files AS "previousFiles", outcome, decided_by AS "decidedBy", decided_at AS "decidedAt",
  reason_code AS "reasonCode", message_to_merchant AS "messageToMerchant"`;

export async function getAppeal(db: Queryable, merchantId: number, claimId: string): Promise<Appeal | null> {
  const { rows } = await db.query<Appeal>(`SELECT ${COLUMNS} FROM claim_appeals WHERE merchant_id = $1 AND claim_id = $2`, [merchantId, claimId]);
  return rows[0] ?? null;
}

export async function insertAppeal(
  client: pg.PoolClient,
  appeal: Pick<Appeal, 'merchantId' | 'claimId' | 'appealedAt' | 'message' | 'refusedBy' | 'refusedReasonCodes' | 'previousFiles'>,
): Promise<void> {
  await client.query(
    `INSERT INTO claim_appeals (merchant_id, claim_id, appealed_at, message, refused_by, refused_reason_codes, previous_files) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [appeal.merchantId, appeal.claimId, appeal.appealedAt, appeal.message, appeal.refusedBy, appeal.refusedReasonCodes, JSON.stringify(appeal.previousFiles)],
  );
}

export async function recordAppealOutcome(
  client: pg.PoolClient,
  appeal: Pick<Appeal, 'merchantId' | 'claimId'>,
  outcome: { outcome: 'approved' | 'rejected'; decidedBy: string; decidedAt: Date; reasonCode: string; messageToMerchant: string },
): Promise<void> {
  const { rowCount } = await client.query(
    `UPDATE claim_appeals SET outcome = $3, decided_by = $4, decided_at = $5, reason_code = $6, message_to_merchant = $7
      WHERE merchant_id = $1 AND claim_id = $2 AND outcome IS NULL`,
    [appeal.merchantId, appeal.claimId, outcome.outcome, outcome.decidedBy, outcome.decidedAt, outcome.reasonCode, outcome.messageToMerchant],
  );
  invariant(rowCount === 1, `the appeal of claim ${appeal.claimId} has no open decision to record`);
}
