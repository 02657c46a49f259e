import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import { OTP_LIFETIME_MS, OTP_MAX_FAILED_ATTEMPTS, type AuthSettings, type RateRule } from './settings.ts';
import { onlyRow } from '../shared/assert.ts';

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

export type RateScope = 'otp_phone' | 'otp_ip' | 'sign_in_ip' | 'staff_sign_in_ip' | 'otp_phone_known';

/** Rate events and dead codes older than this are swept when codes are requested. */
const RETENTION_MS = 2 * 24 * 3600_000;

export function codeHash(key: Buffer, phone: string, code: string): string {
  return createHmac('sha256', key).update(`${phone}:${code}`).digest('hex');
}

/**
 * Seconds until one more event of (scope, key) fits every rule, or null when it fits now. A sliding
 * log: the rule is broken while the limit-th newest event is younger than the window.
 */
export async function retryAfterSeconds(db: Queryable, scope: RateScope, key: string, rules: readonly RateRule[], now: Date): Promise<number | null> {
  let wait: number | null = null;
  for (const rule of rules) {
    const { rows } = await db.query<{ at: Date }>('SELECT at FROM auth_rate_events WHERE scope = $1 AND key = $2 AND at > $3 ORDER BY at DESC OFFSET $4 LIMIT 1', [
      scope,
      key,
      new Date(now.getTime() - rule.windowMs),
      rule.limit - 1,
    ]);
    const at = rows[0]?.at;
    if (at) wait = Math.max(wait ?? 1, Math.ceil((at.getTime() + rule.windowMs - now.getTime()) / 1000));
  }
  return wait;
}

export async function countRateEvent(db: Queryable, scope: RateScope, key: string, now: Date): Promise<void> {
  await db.query('INSERT INTO auth_rate_events (scope, key, at) VALUES ($1, $2, $3)', [scope, key, now]);
}

/** Serialises the check-then-count of one rate key across every API process (until the transaction ends). */
async function lockRateKey(client: pg.PoolClient, scope: RateScope, key: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7140))', [`${scope}:${key}`]);
}

export type CodeRequestOutcome =
  | { ok: true; /** the code to send; null when the phone belongs to no merchant (nothing is sent) */ code: string | null; expiresAt: Date }
  | { ok: false; limitedBy: 'phone' | 'address'; retryAfterSeconds: number };

/**
 * A new code for a phone, replacing any earlier one, within the rate limits. Every phone is treated
 * alike (limits counted, a code row written) so that nothing tells an enrolled phone from another;
 * only an enrolled phone's code is returned for sending.
 */
export async function requestCode(pool: pg.Pool, settings: AuthSettings, input: { phone: string; address: string; ip: string; now: Date }): Promise<CodeRequestOutcome> {
  const { phone, address, now } = input;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // From an address a merchant of this phone signed in from, the phone's codes come from a budget
    // of their own: anyone can spend the phone's shared budget, and must not lock its merchant out.
    const known = await signedInFrom(client, await settings.merchantIdsByPhone(client, phone), input.ip);
    const phoneScope: RateScope = known ? 'otp_phone_known' : 'otp_phone';
    // always phone before address, so two requests never wait on each other crosswise
    await lockRateKey(client, phoneScope, phone);
    await lockRateKey(client, 'otp_ip', address);
    const byAddress = await retryAfterSeconds(client, 'otp_ip', address, settings.limits.otpPerAddress, now);
    const byPhone = await retryAfterSeconds(client, phoneScope, phone, settings.limits.otpPerPhone, now);
    if (byAddress !== null || byPhone !== null) {
      await client.query('ROLLBACK');
      return byAddress !== null ? { ok: false, limitedBy: 'address', retryAfterSeconds: byAddress } : { ok: false, limitedBy: 'phone', retryAfterSeconds: byPhone! };
    }
    await countRateEvent(client, phoneScope, phone, now);
    await countRateEvent(client, 'otp_ip', address, now);
    const horizon = new Date(now.getTime() - RETENTION_MS);
    await client.query('DELETE FROM auth_rate_events WHERE at < $1', [horizon]);
    await client.query('DELETE FROM auth_otp_codes WHERE expires_at < $1', [horizon]);

    const enrolled = (await settings.merchantIdsByPhone(client, phone)).length > 0;
    const code = enrolled ? String(randomInt(0, 1_000_000)).padStart(6, '0') : null;
    const expiresAt = new Date(now.getTime() + OTP_LIFETIME_MS);
    await client.query(
      `INSERT INTO auth_otp_codes (phone, code_hash, created_at, expires_at, failed_attempts) VALUES ($1, $2, $3, $4, 0)
       ON CONFLICT (phone) DO UPDATE SET code_hash = excluded.code_hash, created_at = excluded.created_at, expires_at = excluded.expires_at, failed_attempts = 0`,
      // no merchant: a code that was never sent and that no six digits match
      [phone, codeHash(settings.otpKey, phone, code ?? randomBytes(16).toString('hex')), now, expiresAt],
    );
    await client.query('COMMIT');
    return { ok: true, code, expiresAt };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** Whether one of the phone's merchants signed in from this address (its sessions keep the address). */
async function signedInFrom(client: pg.PoolClient, merchantIds: readonly number[], ip: string): Promise<boolean> {
  const { rows } = await client.query<{ known: boolean }>('SELECT EXISTS (SELECT 1 FROM auth_sessions WHERE merchant_id = ANY($1::bigint[]) AND ip = $2) AS known', [
    merchantIds,
    ip.slice(0, 64),
  ]);
  return onlyRow(rows, 'whether the phone signed in from the address').known;
}

export type CodeCheck = { status: 'match' } | { status: 'missing' | 'expired' | 'exhausted' } | { status: 'wrong'; attemptsLeft: number };

/**
 * Checks a code inside the caller's transaction, holding the code's row until it ends (so concurrent
 * guesses are counted one by one). A wrong code counts a failed attempt; a match changes nothing
 * (the caller consumes it with `consumeCode`).
 */
export async function checkCode(client: pg.PoolClient, key: Buffer, phone: string, code: string, now: Date): Promise<CodeCheck> {
  const { rows } = await client.query<{ code_hash: string; expires_at: Date; failed_attempts: number }>(
    'SELECT code_hash, expires_at, failed_attempts FROM auth_otp_codes WHERE phone = $1 FOR UPDATE',
    [phone],
  );
  const row = rows[0];
  if (!row) return { status: 'missing' };
  if (row.expires_at.getTime() <= now.getTime()) return { status: 'expired' };
  if (row.failed_attempts >= OTP_MAX_FAILED_ATTEMPTS) return { status: 'exhausted' };
  const presented = Buffer.from(codeHash(key, phone, code), 'hex');
  if (timingSafeEqual(presented, Buffer.from(row.code_hash, 'hex'))) return { status: 'match' };
  return { status: 'wrong', attemptsLeft: await countFailedAttempt(client, phone) };
}

/** Counts one failed attempt against the phone's live code; returns the attempts left. */
export async function countFailedAttempt(client: pg.PoolClient, phone: string): Promise<number> {
  const { rows } = await client.query<{ failed_attempts: number }>(
    'UPDATE auth_otp_codes SET failed_attempts = least(failed_attempts + 1, $2) WHERE phone = $1 RETURNING failed_attempts',
    [phone, OTP_MAX_FAILED_ATTEMPTS],
  );
  return OTP_MAX_FAILED_ATTEMPTS - (rows[0]?.failed_attempts ?? OTP_MAX_FAILED_ATTEMPTS);
}

export async function consumeCode(client: pg.PoolClient, phone: string): Promise<void> {
  await client.query('DELETE FROM auth_otp_codes WHERE phone = $1', [phone]);
}
