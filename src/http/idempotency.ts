import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type pg from 'pg';
import { ApiError } from './errors.ts';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

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

export interface Outcome<T> {
  statusCode: number;
  body: T;
}

/**
 * Runs a create in one transaction. With an `Idempotency-Key` header, the first successful outcome
 * is stored in the same transaction and replayed for every retry with the same request; the same
 * key with a different request is refused (409). Failures are not stored: a retry runs again.
 */
export async function runIdempotent<T>(
  pool: pg.Pool,
  request: FastifyRequest,
  run: (client: pg.PoolClient) => Promise<Outcome<T>>,
): Promise<Outcome<T> & { replayed: boolean }> {
  const header = request.headers['idempotency-key'];
  if (Array.isArray(header) || (header !== undefined && !KEY_PATTERN.test(header))) {
    throw new ApiError(400, 'invalid_idempotency_key', 'Idempotency-Key must be 1-255 visible ASCII characters, given once', 'Idempotency-Key');
  }
  const scope = `${request.apiKeyId ?? 'anonymous'} ${request.method} ${request.routeOptions.url}`;
  const requestHash = createHash('sha256').update(canonical({ params: request.params, body: request.body })).digest('hex');

  const stored = async (): Promise<(Outcome<T> & { replayed: boolean }) | null> => {
    const { rows } = await pool.query<{ request_hash: string; response_status: number; response_body: T }>(
      'SELECT request_hash, response_status, response_body FROM idempotency_keys WHERE scope = $1 AND idempotency_key = $2',
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
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const outcome = await run(client);
    if (header !== undefined) {
      // waits for a concurrent request holding the same key, then finds its row
      const { rowCount } = await client.query(
        `INSERT INTO idempotency_keys (scope, idempotency_key, request_hash, response_status, response_body)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
        [scope, header, requestHash, outcome.statusCode, JSON.stringify(outcome.body)],
      );
      if (rowCount === 0) {
        await client.query('ROLLBACK');
        const replay = await stored();
        if (!replay) throw new Error('idempotency key vanished after a conflict');
        return replay;
      }
    }
    await client.query('COMMIT');
    return { ...outcome, replayed: false };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    // a concurrent twin with the same key may have won the race and made our insert collide
    const replay = header !== undefined ? await stored() : null;
    if (replay) return replay;
    throw err;
  } finally {
    client.release();
  }
}
