/**
 * The liability rollup (liability_days): one row per business day and city, refreshed by the
 * periodic work once an hour (and by the simulator at the end of each day). Chosen over a rollup kept
 * by the write path because every credit change would then update one hot row per city, across
 * merchants, on the programme's hottest paths; a refresh instead reads every merchant's two credit
 * accounts once (one pass, on Citus a pass on each shard at once) and each flow from the one day
 * that holds it: the day's payments partition (granted), the settled-payouts index (claimed) and the
 * day's ledger partition (lapsed and expired). A console load reads the rollup, never the ledger.
 */
import type pg from 'pg';
import { addDays, businessDayStart } from '../shared/business-day.ts';
import type { CityDay } from './liability.ts';

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/** Writes `day`'s rows: the credit outstanding now, by city, and the day's flows. Returns the cities written. */
export async function refreshLiability(db: Queryable, day: string, now: Date): Promise<number> {
  const { rowCount } = await db.query(
    `WITH outstanding AS (
       SELECT m.city,
              sum(CASE WHEN a.kind = 'merchant_pending' THEN a.credits_posted - a.debits_posted + a.credits_pending ELSE a.credits_pending END) AS pending_fen,
              sum(CASE WHEN a.kind = 'merchant_available' THEN a.credits_posted - a.debits_posted - a.debits_pending ELSE 0 END) AS available_fen,
              sum(CASE WHEN a.kind = 'merchant_available' THEN a.debits_pending ELSE 0 END) AS reserved_fen
         FROM ledger_accounts a JOIN merchants m ON m.merchant_id = a.merchant_id
        WHERE a.kind IN ('merchant_pending', 'merchant_available')
        GROUP BY m.city),
     granted AS (
       SELECT m.city, sum(p.credit_fen + p.welcome_fen) AS fen
         FROM payments p JOIN merchants m ON m.merchant_id = p.merchant_id
        WHERE p.history_day = $1::date AND p.credit_fen + p.welcome_fen > 0
        GROUP BY m.city),
     claimed AS (
       SELECT m.city, sum(o.amount_fen) AS fen
         FROM payouts o JOIN merchants m ON m.merchant_id = o.merchant_id
        WHERE o.state = 'succeeded' AND o.settled_at >= $2 AND o.settled_at < $3
        GROUP BY m.city),
     lost AS (
       SELECT m.city, sum(t.amount_fen) AS fen
         FROM ledger_transfers t JOIN merchants m ON m.merchant_id = t.merchant_id
        WHERE t.history_day = $1::date AND t.code IN ('lapse', 'expire')
        GROUP BY m.city)
     INSERT INTO liability_days (business_day, city, pending_fen, available_fen, reserved_fen, granted_fen, claimed_fen, lost_fen, refreshed_at)
     SELECT $1::date, c.city, coalesce(o.pending_fen, 0), coalesce(o.available_fen, 0), coalesce(o.reserved_fen, 0),
            coalesce(g.fen, 0), coalesce(cl.fen, 0), coalesce(l.fen, 0), $4
       FROM (SELECT city FROM outstanding UNION SELECT city FROM granted UNION SELECT city FROM claimed UNION SELECT city FROM lost) c
       LEFT JOIN outstanding o ON o.city = c.city LEFT JOIN granted g ON g.city = c.city
       LEFT JOIN claimed cl ON cl.city = c.city LEFT JOIN lost l ON l.city = c.city
     ON CONFLICT (business_day, city) DO UPDATE SET pending_fen = excluded.pending_fen, available_fen = excluded.available_fen, reserved_fen = excluded.reserved_fen,
       granted_fen = excluded.granted_fen, claimed_fen = excluded.claimed_fen, lost_fen = excluded.lost_fen, refreshed_at = excluded.refreshed_at`,
    [day, businessDayStart(day), businessDayStart(addDays(day, 1)), now],
  );
  return rowCount ?? 0;
}

/** The rollup's rows from `fromDay` on, oldest first. */
export async function liabilityRows(db: Queryable, fromDay: string): Promise<CityDay[]> {
  const { rows } = await db.query<{ day: string; city: string; pending_fen: number; available_fen: number; reserved_fen: number; granted_fen: number; claimed_fen: number; lost_fen: number; refreshed_at: Date }>(
    `SELECT business_day::text AS day, city, pending_fen, available_fen, reserved_fen, granted_fen, claimed_fen, lost_fen, refreshed_at
       FROM liability_days WHERE business_day >= $1::date ORDER BY business_day, city`,
    [fromDay],
  );
  return rows.map((r) => ({
    day: r.day,
    city: r.city,
    pendingFen: r.pending_fen,
    availableFen: r.available_fen,
    reservedFen: r.reserved_fen,
    grantedFen: r.granted_fen,
    claimedFen: r.claimed_fen,
    lostFen: r.lost_fen,
    refreshedAt: r.refreshed_at,
  }));
}
