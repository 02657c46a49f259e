import { violates } from '../db/errors.ts';
import { hash, verify } from '@node-rs/argon2';
import type pg from 'pg';
import { inTransaction } from '../db/transaction.ts';
import { recordAudit } from './audit.ts';
import { countRateEvent, retryAfterSeconds } from './otp.ts';
import { newSessionToken, SESSION_TOKEN_PATTERN, sessionTokenHash } from './sessions.ts';
import { SESSION_LIFETIME_MS, type AuthSettings } from './settings.ts';
import { onlyRow } from '../shared/assert.ts';

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/** admin: everything, reviewer: the review desk, analyst: the dashboard (read only). */
export type StaffRole = 'admin' | 'reviewer' | 'analyst';
export const STAFF_ROLES: readonly StaffRole[] = ['admin', 'reviewer', 'analyst'];
export const STAFF_USERNAME_PATTERN = '^[a-z0-9][a-z0-9._@-]{2,63}$';
export const MIN_STAFF_PASSWORD_CHARS = 10;
/** The console's session cookie: apart from the merchant app's, so one browser may hold both. */
export const STAFF_SESSION_COOKIE = 'cp_staff';
/** Staff sessions are shorter than a merchant's: a working day and a half. */
export const STAFF_SESSION_LIFETIME_MS = Math.min(SESSION_LIFETIME_MS, 36 * 3600_000);

export interface StaffUser {
  staffId: number;
  username: string;
  displayName: string;
  role: StaffRole;
}

export interface StaffSession {
  sessionId: number;
  staff: StaffUser;
  expiresAt: Date;
}

export class StaffUserExists extends Error {
  override name = 'StaffUserExists';
}

/** Adds a console user (argon2id hash of the password); the caller audits it in the same transaction. */
export async function addStaffUser(db: Queryable, input: { username: string; displayName: string; role: StaffRole; password: string }): Promise<StaffUser> {
  if (input.password.length < MIN_STAFF_PASSWORD_CHARS) throw new RangeError(`a staff password has at least ${MIN_STAFF_PASSWORD_CHARS} characters`);
  const passwordHash = await hash(input.password);
  try {
    const { rows } = await db.query<{ staff_id: number }>(
      'INSERT INTO staff_users (username, display_name, role, password_hash) VALUES ($1, $2, $3, $4) RETURNING staff_id',
      [input.username, input.displayName, input.role, passwordHash],
    );
    return { staffId: onlyRow(rows, 'the inserted staff user').staff_id, username: input.username, displayName: input.displayName, role: input.role };
  } catch (err) {
    if (violates(err, 'staff_users_username_key')) throw new StaffUserExists(`a staff user ${input.username} exists already`);
    throw err;
  }
}

export async function countStaffUsers(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM staff_users');
  return onlyRow(rows, 'the count of staff users').n;
}

// An unknown username is checked against this hash too, so that timing does not tell which names exist.
const NOBODY_HASH = hash('no such staff user, never matches');

export type StaffSignInOutcome =
  | { ok: true; token: string; session: StaffSession }
  | { ok: false; reason: 'rate_limited'; retryAfterSeconds: number }
  | { ok: false; reason: 'wrong' };

/** Username + password → a console session; failures are audited and count against the address, apart from merchants' failed codes. */
export async function staffSignIn(pool: pg.Pool, settings: AuthSettings, input: { username: string; password: string; address: string; ip: string; now: Date }): Promise<StaffSignInOutcome> {
  const { now } = input;
  const wait = await retryAfterSeconds(pool, 'staff_sign_in_ip', input.address, settings.limits.failedSignInsPerAddress, now);
  if (wait !== null) return { ok: false, reason: 'rate_limited', retryAfterSeconds: wait };
  const { rows } = await pool.query<{ staff_id: number; username: string; display_name: string; role: StaffRole; password_hash: string }>(
    'SELECT staff_id, username, display_name, role, password_hash FROM staff_users WHERE username = $1 AND disabled_at IS NULL',
    [input.username],
  );
  const row = rows[0];
  const matches = await verify(row?.password_hash ?? (await NOBODY_HASH), input.password).catch(() => false);
  return inTransaction(pool, async (client): Promise<StaffSignInOutcome> => {
    if (!row || !matches) {
      await countRateEvent(client, 'staff_sign_in_ip', input.address, now);
      await recordAudit(client, { at: now, actorKind: 'anonymous', actorId: input.ip.slice(0, 200) || 'unknown', action: 'staff.sign_in_failed', subjectKind: row ? 'staff_user' : null, subjectId: row?.staff_id ?? null, details: row ? {} : { unknownUsername: input.username } });
      return { ok: false, reason: 'wrong' };
    }
    const staff: StaffUser = { staffId: row.staff_id, username: row.username, displayName: row.display_name, role: row.role };
    const token = newSessionToken();
    const expiresAt = new Date(now.getTime() + STAFF_SESSION_LIFETIME_MS);
    const inserted = await client.query<{ session_id: number }>(
      'INSERT INTO staff_sessions (staff_id, token_hash, created_at, expires_at, ip) VALUES ($1, $2, $3, $4, $5) RETURNING session_id',
      [staff.staffId, sessionTokenHash(token), now, expiresAt, input.ip.slice(0, 64) || 'unknown'],
    );
    const sessionId = onlyRow(inserted.rows, 'the inserted staff session').session_id;
    await recordAudit(client, { at: now, actorKind: 'staff', actorId: `${staff.role}:staff-${staff.staffId}`, action: 'staff.sign_in', subjectKind: 'staff_session', subjectId: sessionId, details: { ip: input.ip } });
    return { ok: true, token, session: { sessionId, staff, expiresAt } };
  });
}

/** The live session of a console cookie, with its user (a disabled user's sessions end with the user). */
export async function findStaffSession(db: Queryable, token: string, now: Date): Promise<StaffSession | null> {
  if (!SESSION_TOKEN_PATTERN.test(token)) return null;
  const { rows } = await db.query<{ session_id: number; expires_at: Date; staff_id: number; username: string; display_name: string; role: StaffRole }>(
    `SELECT s.session_id, s.expires_at, u.staff_id, u.username, u.display_name, u.role
       FROM staff_sessions s JOIN staff_users u USING (staff_id)
      WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND u.disabled_at IS NULL`,
    [sessionTokenHash(token), now],
  );
  const r = rows[0];
  return r ? { sessionId: r.session_id, expiresAt: r.expires_at, staff: { staffId: r.staff_id, username: r.username, displayName: r.display_name, role: r.role } } : null;
}

/** Whether a console session is still live (not revoked, not expired, its user not disabled): what a long-lived stream re-checks. */
export async function staffSessionIsLive(db: Queryable, sessionId: number, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `SELECT 1 FROM staff_sessions s JOIN staff_users u USING (staff_id)
      WHERE s.session_id = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND u.disabled_at IS NULL`,
    [sessionId, now],
  );
  return (rowCount ?? 0) > 0;
}

export async function revokeStaffSession(db: Queryable, sessionId: number, now: Date): Promise<boolean> {
  const { rowCount } = await db.query('UPDATE staff_sessions SET revoked_at = greatest($2::timestamptz, created_at) WHERE session_id = $1 AND revoked_at IS NULL', [sessionId, now]);
  return (rowCount ?? 0) > 0;
}
