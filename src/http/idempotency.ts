import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type pg from 'pg';
import { inTransaction } from '../db/transaction.ts';
import { ApiError } from './errors.ts';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
/** As Stripe: a key is remembered for a day; after that the same key is a new request. */
export const IDEMPOTENCY_KEY_TTL_HOURS = 24;
const LIVE = `created_at > now() - make_interval(hours => ${IDEMPOTENCY_KEY_TTL_HOURS})`;
const PRUNE_BATCH_ROWS = 10_000;

/** Forgets keys past their day, at most PRUNE_BATCH_ROWS a call; returns how many went. */
export async function pruneIdempotencyKeys(pool: pg.Pool, now = new Date()): Promise<number> {
  const { rowCount } = await pool.query(
    `DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(
       SELECT ctid FROM idempotency_keys WHERE created_at <= $1::timestamptz - make_interval(hours => $2) LIMIT $3))`,
    [now, IDEMPOTENCY_KEY_TTL_HOURS, PRUNE_BATCH_ROWS],
  );
  return rowCount ?? 0;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Keys are per client and per route: one client's key never answers another's request. */
function scopeOf(request: FastifyRequest, client: string | undefined): string {
  return `${client ?? request.apiKeyId ?? 'anonymous'} ${request.method} ${request.routeOptions.url}`;
}

/**
 * Whether the request's Idempotency-Key already has a stored answer for this client and route: the
 * retry of a create that succeeded, which runIdempotent will replay. Asked before an upload is read,
 * so that checks made early (credit, queue room) never refuse a retry the create's own effect would.
 */
export async function hasStoredAnswer(pool: pg.Pool, request: FastifyRequest, client?: string): Promise<boolean> {
  const header = request.headers['idempotency-key'];
  if (typeof header !== 'string' || !KEY_PATTERN.test(header)) return false;
  const { rows } = await pool.query(`SELECT 1 FROM idempotency_keys WHERE scope = $1 AND idempotency_key = $2 AND ${LIVE}`, [scopeOf(request, client), header]);
  return rows.length > 0;
}

export interface Outcome<T> {
  statusCode: number;
  body: T;
}

/** The stored answer of a concurrent twin with the same key committed first: this attempt rolls back and replays it. */
class KeyAnsweredConcurrently extends Error {}

/**
 * Runs a create in one transaction. With an `Idempotency-Key` header, the first successful outcome
 * is stored in the same transaction and replayed for every retry with the same request; the same
 * key with a different request is refused (409). Failures are not stored: a retry runs again.
 * `transaction` runs the work in a transaction of the caller's kind (a credit change, with its locks
 * and retries) instead of a plain one; the key's row is written inside it.
 */
export async function runIdempotent<T, H extends { client: pg.PoolClient } = { client: pg.PoolClient }>(
  pool: pg.Pool,
  request: FastifyRequest,
  run: (client: pg.PoolClient, handle: H) => Promise<Outcome<T>>,
  /** For callers whose client is not an API key, or whose body is not JSON (multipart uploads). */
  identity: { client?: string; requestDigest?: string } = {},
  transaction: (work: (handle: H) => Promise<Outcome<T>>) => Promise<Outcome<T>> = (work) => inTransaction(pool, (client) => work({ client } as H)),
): Promise<Outcome<T> & { replayed: boolean }> {
  const header = request.headers['idempotency-key'];
  if (Array.isArray(header) || (header !== undefined && !KEY_PATTERN.test(header))) {
    throw new ApiError(400, 'invalid_idempotency_key', 'Idempotency-Key must be 1-255 visible ASCII characters, given once', 'Idempotency-Key');
  }
  const scope = scopeOf(request, identity.client);
  const requestHash = identity.requestDigest ?? createHash('sha256').update(canonical({ params: request.params, body: request.body })).digest('hex');

  const stored = async (): Promise<(Outcome<T> & { replayed: boolean }) | null> => {
    const { rows } = await pool.query<{ request_hash: string; response_status: number; response_body: T }>(
      `SELECT request_hash, response_status, response_body FROM idempotency_keys WHERE scope = $1 AND idempotency_key = $2 AND ${LIVE}`,
      [scope, header],
    );
    const row = rows[0];
    if (!row) return null;
    if (row.request_hash !== requestHash) {
      throw new ApiError(409, 'idempotency_key_reused', 'this Idempotency-Key was used with a different request', 'Idempotency-Key');
    }
    return { statusCode: row.response_status, body: row.response_body, replayed: true };
  };

  if (header !== undefined) {
    const replay = await stored();
    if (replay) return replay;
  }
  try {
    const outcome = await transaction(async (handle) => {
      const outcome = await run(handle.client, handle);
      if (header === undefined) return outcome;
      // waits for a concurrent request holding the same key, then finds its row; a key past its day
      // that the pruner has not reached yet is taken over
      const { rowCount } = await handle.client.query(
        `INSERT INTO idempotency_keys (scope, idempotency_key, request_hash, response_status, response_body)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (scope, idempotency_key) DO UPDATE
           SET request_hash = excluded.request_hash, response_status = excluded.response_status, response_body = excluded.response_body, created_at = now()
           WHERE NOT (idempotency_keys.${LIVE})`,
        [scope, header, requestHash, outcome.statusCode, JSON.stringify(outcome.body)],
      );
      if (rowCount === 0) throw new KeyAnsweredConcurrently();
      return outcome;
    });
    return { ...outcome, replayed: false };
  } catch (err) {
    // a concurrent twin with the same key may have won the race and made our insert collide
    const replay = header !== undefined ? await stored() : null;
    if (replay) return replay;
    if (err instanceof KeyAnsweredConcurrently) throw new Error('idempotency key vanished after a conflict', { cause: err });
    throw err;
  }
}
