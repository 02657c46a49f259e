import type pg from 'pg';
import { transferIdFor } from './ids.ts';
import { createTransfers } from './store.ts';
import { MAX_BATCH_TRANSFERS, type TransferResult } from './types.ts';

export const PENDING_EXPIRED_CODE = 'pending_expired';

/**
 * Voids pending transfers whose timeout has passed, releasing what they reserved. The void's id is
 * derived from the pending id, so two sweepers running at once void each pending transfer once.
 */
export async function expirePendingTransfers(pool: pg.Pool, limit = MAX_BATCH_TRANSFERS): Promise<TransferResult[]> {
  const { rows } = await pool.query<{ transfer_id: string }>(
    'SELECT transfer_id FROM ledger_open_pending WHERE expires_at <= now() ORDER BY expires_at LIMIT $1',
    [Math.min(limit, MAX_BATCH_TRANSFERS)],
  );
  if (rows.length === 0) return [];
  return createTransfers(
    pool,
    rows.map((r) => ({ id: transferIdFor('void-expired', r.transfer_id), phase: 'void' as const, pendingId: r.transfer_id, code: PENDING_EXPIRED_CODE })),
  );
}
