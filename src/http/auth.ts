import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiRole } from '../config/config.ts';
import { ApiError } from './errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    apiRole?: ApiRole;
    /** A short digest of the API key: scopes idempotency keys to their client. */
    apiKeyId?: string;
  }
}

function sameKey(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** An onRequest hook (so it runs before body validation) that admits a bearer API key of one of the given roles. */
export function requireRole(keys: ReadonlyMap<string, ApiRole>, roles: readonly ApiRole[]) {
  const entries = [...keys];
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    if (!header) throw new ApiError(401, 'unauthenticated', 'missing Authorization: Bearer <API key> header', 'authorization');
    const match = /^Bearer ([A-Za-z0-9_-]+)$/.exec(header);
    if (!match?.[1]) throw new ApiError(401, 'unauthenticated', 'Authorization header must be "Bearer <API key>"', 'authorization');
    const presented = match[1];
    const role = entries.find(([key]) => sameKey(key, presented))?.[1];
    if (!role) throw new ApiError(401, 'unauthenticated', 'unknown API key', 'authorization');
    if (!roles.includes(role)) throw new ApiError(403, 'forbidden', `this operation needs a key of role ${roles.join(' or ')}`);
    request.apiRole = role;
    request.apiKeyId = createHash('sha256').update(presented).digest('hex').slice(0, 16);
  };
}

export const bearerSecurity = [{ apiKey: [] }];
