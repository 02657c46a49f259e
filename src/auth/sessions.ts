import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import { SESSION_LIFETIME_MS } from './settings.ts';
import { onlyRow } from '../shared/assert.ts';

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

export type SessionClient = 'browser' | 'api';

/** The browser session's cookie (http-only, SameSite=Lax, Path=/). */
export const SESSION_COOKIE = 'cp_session';
/** 32 random bytes, base64url: a console session's whole token, the secret part of a merchant's. */
export const SESSION_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** A merchant session's token names its merchant (so it is found among that merchant's rows): `<merchant id>.<32 random bytes>`. */
const MERCHANT_SESSION_TOKEN = /^([1-9][0-9]{0,15})\.[A-Za-z0-9_-]{43}$/;

function merchantOfToken(token: string): number | null {
  const digits = MERCHANT_SESSION_TOKEN.exec(token)?.[1];
  const merchantId = Number(digits);
  return digits !== undefined && Number.isSafeInteger(merchantId) ? merchantId : null;
}

export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sessionTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A browser session's CSRF token: derived from its cookie, so it needs no storage and can be shown again. */
export function csrfTokenFor(key: Buffer, sessionToken: string): string {
  return createHmac('sha256', key).update(`csrf:${sessionToken}`).digest('base64url');
}

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface Session {
  sessionId: number;
  merchantId: number;
  client: SessionClient;
  expiresAt: Date;
}

export async function createSession(
  db: Queryable,
  input: { merchantId: number; client: SessionClient; address: string; now: Date },
): Promise<Session & { token: string }> {
  const token = `${input.merchantId}.${newSessionToken()}`;
  const expiresAt = new Date(input.now.getTime() + SESSION_LIFETIME_MS);
  const { rows } = await db.query<{ session_id: number }>(
    'INSERT INTO auth_sessions (merchant_id, token_hash, client, created_at, expires_at, ip) VALUES ($1, $2, $3, $4, $5, $6) RETURNING session_id',
    [input.merchantId, sessionTokenHash(token), input.client, input.now, expiresAt, input.address.slice(0, 64) || 'unknown'],
  );
  return { sessionId: onlyRow(rows, 'the inserted merchant session').session_id, merchantId: input.merchantId, client: input.client, expiresAt, token };
}

/** The live (unexpired, not revoked) session of a token, of the given kind: a cookie is never a bearer token, nor the reverse. */
export async function findSession(db: Queryable, token: string, client: SessionClient, now: Date): Promise<Session | null> {
  const merchantId = merchantOfToken(token);
  if (merchantId === null) return null;
  const { rows } = await db.query<{ session_id: number; expires_at: Date }>(
    'SELECT session_id, expires_at FROM auth_sessions WHERE merchant_id = $1 AND token_hash = $2 AND client = $3 AND revoked_at IS NULL AND expires_at > $4',
    [merchantId, sessionTokenHash(token), client, now],
  );
  const row = rows[0];
  return row ? { sessionId: row.session_id, merchantId, client, expiresAt: row.expires_at } : null;
}

export async function revokeSession(db: Queryable, session: { merchantId: number; sessionId: number }, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE auth_sessions SET revoked_at = greatest($3::timestamptz, created_at) WHERE merchant_id = $1 AND session_id = $2 AND revoked_at IS NULL',
    [session.merchantId, session.sessionId, now],
  );
  return (rowCount ?? 0) > 0;
}

/** Whether a merchant session is still live (not revoked, not expired): what a long-lived stream re-checks. */
export async function sessionIsLive(db: Queryable, session: { merchantId: number; sessionId: number }, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    'SELECT 1 FROM auth_sessions WHERE merchant_id = $1 AND session_id = $2 AND revoked_at IS NULL AND expires_at > $3',
    [session.merchantId, session.sessionId, now],
  );
  return (rowCount ?? 0) > 0;
}
