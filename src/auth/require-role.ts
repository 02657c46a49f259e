import type { FastifyReply, FastifyRequest } from 'fastify';
import { findApiKey } from './index.ts';
import type { ApiRole } from '../config/config.ts';
import { ApiError } from '../http/errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    apiRole?: ApiRole;
    /** A short digest of the API key (or `merchant:<id>` for a merchant session): scopes idempotency keys to their client. */
    apiKeyId?: string;
  }
}

/**
 * An onRequest hook (so it runs before body validation) that admits a bearer API key of one of the
 * given roles, and sets `request.principal` to the staff principal. Routes that merchants may also
 * call use `authenticate` from src/auth instead.
 */
export function requireRole(keys: ReadonlyMap<string, ApiRole>, roles: readonly ApiRole[]) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    if (!header) throw new ApiError(401, 'unauthenticated', 'missing Authorization: Bearer <API key> header', 'authorization');
    const match = /^Bearer ([A-Za-z0-9_-]+)$/.exec(header);
    if (!match?.[1]) throw new ApiError(401, 'unauthenticated', 'Authorization header must be "Bearer <API key>"', 'authorization');
    const key = findApiKey(keys, match[1]);
    if (!key) throw new ApiError(401, 'unauthenticated', 'unknown API key', 'authorization');
    if (!roles.includes(key.role)) throw new ApiError(403, 'forbidden', `this operation needs a key of role ${roles.join(' or ')}`);
    request.principal = { kind: 'staff', role: key.role, keyId: key.keyId };
    request.apiRole = key.role;
    request.apiKeyId = key.keyId;
  };
}

export const bearerSecurity = [{ apiKey: [] }];
/** Routes a merchant calls: its session token as a bearer, or the browser's session cookie. */
export const SESSION_SECURITY: Record<string, string[]>[] = [{ apiKey: [] }, { sessionCookie: [] }];
