import type pg from 'pg';

/** Returns once the database's clock (the ledger's) is past a pending transfer's expiry: the event a test needs, not a guessed delay. */
export async function untilPendingExpires(pool: pg.Pool, pendingId: string): Promise<void> {
  for (;;) {
    const { rows } = await pool.query<{ left_s: number }>('SELECT extract(epoch FROM expires_at - clock_timestamp())::float8 AS left_s FROM ledger_open_pending WHERE transfer_id = $1', [pendingId]);
    if (rows[0]!.left_s < 0) return;
    await pool.query('SELECT pg_sleep($1)', [rows[0]!.left_s + 0.01]);
  }
}
