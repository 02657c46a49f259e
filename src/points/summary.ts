import type pg from 'pg';
import { businessDay } from '../shared/business-day.ts';
import { onlyRow } from '../shared/assert.ts';

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/** What the merchant app's home shows besides the ledger balance: credit to collect, credit about to expire, today's payers. */
export interface CreditOutlook {
  /** Earned, not yet collected: the total and the first deadline (it lapses after). */
  waitingFen: number;
  waitingLots: number;
  firstCollectBy: Date | null;
  /** Available credit whose validity ends within `expiringWithinDays`. */
  expiringFen: number;
  firstExpiresAt: Date | null;
  businessDay: string;
  earningPayersToday: number;
}

export const EXPIRING_WITHIN_DAYS = 30;

export async function creditOutlook(db: Queryable, merchantId: number, now: Date): Promise<CreditOutlook> {
  const day = businessDay(now);
  const { rows } = await db.query<{ waiting_fen: string; waiting_lots: number; first_collect_by: Date | null; expiring_fen: string; first_expires_at: Date | null; payers: number }>(
    `SELECT coalesce(sum(amount_fen) FILTER (WHERE state = 'pending' AND collect_by > $2), 0) AS waiting_fen,
            count(*) FILTER (WHERE state = 'pending' AND collect_by > $2)::int AS waiting_lots,
            min(collect_by) FILTER (WHERE state = 'pending' AND collect_by > $2) AS first_collect_by,
            coalesce(sum(remaining_fen) FILTER (WHERE state = 'available' AND expires_at <= $2::timestamptz + make_interval(days => $4)), 0) AS expiring_fen,
            min(expires_at) FILTER (WHERE state = 'available' AND remaining_fen > 0) AS first_expires_at,
            (SELECT coalesce(cardinality(payer_ids), 0) FROM merchant_days WHERE merchant_id = $1 AND business_day = $3::date) AS payers
       FROM credit_lots WHERE merchant_id = $1 AND state IN ('pending', 'available')`,
    [merchantId, now, day, EXPIRING_WITHIN_DAYS],
  );
  const r = onlyRow(rows, 'the credit outlook');
  return {
    waitingFen: Number(r.waiting_fen),
    waitingLots: r.waiting_lots,
    firstCollectBy: r.first_collect_by,
    expiringFen: Number(r.expiring_fen),
    firstExpiresAt: r.first_expires_at,
    businessDay: day,
    earningPayersToday: r.payers ?? 0,
  };
}
