import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiRole } from '../config/config.ts';
import type { AppContext } from '../http/context.ts';
import { ApiError } from '../http/errors.ts';
import { findApiKey } from './api-keys.ts';
import { csrfTokenFor, findSession, sameSecret, SESSION_COOKIE, sessionIsLive } from './sessions.ts';
import { findStaffSession, STAFF_SESSION_COOKIE, staffSessionIsLive, type StaffRole } from './staff.ts';

/** A merchant signed in with a one-time code: through the browser cookie or a bearer token. */
export interface MerchantPrincipal {
  kind: 'merchant';
  merchantId: number;
  sessionId: number;
  via: 'cookie' | 'bearer';
  sessionExpiresAt: Date;
}

/**
 * A staff or system caller: with an API key (keyId is a short digest of the key), or a console user
 * signed in with a password (keyId `staff-<id>`, role the API role the user acts as, `console` set).
 */
export interface StaffPrincipal {
  kind: 'staff';
  role: ApiRole | 'analyst';
  keyId: string;
  console?: { staffId: number; role: StaffRole; sessionId: number; sessionExpiresAt: Date };
}

export type Principal = MerchantPrincipal | StaffPrincipal;

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling: set by `authenticate` (and by `requireRole` for staff). */
    principal?: Principal;
  }
}

export interface AuthenticateOptions {
  /** Admit merchant sessions (then use `merchantScope` on every merchant-owned id). */
  merchant?: boolean;
  /** Admit API keys of these roles. */
  staffRoles?: readonly ApiRole[];
  /** Admit console users of these roles; default: admins where ops or reviewer keys are admitted, reviewers where reviewer keys are. */
  consoleRoles?: readonly StaffRole[];
}

function consoleRolesOf(options: AuthenticateOptions): readonly StaffRole[] {
  if (options.consoleRoles) return options.consoleRoles;
  const keys = options.staffRoles ?? [];
  return [...(keys.includes('ops') || keys.includes('reviewer') ? (['admin'] as const) : []), ...(keys.includes('reviewer') ? (['reviewer'] as const) : [])];
}

/** The API role a console user acts as on a route: an admin as ops where ops may act, else as reviewer. */
function actingRole(role: StaffRole, staffRoles: readonly ApiRole[]): ApiRole | 'analyst' {
  if (role === 'admin') return staffRoles.includes('ops') || !staffRoles.includes('reviewer') ? 'ops' : 'reviewer';
  return role;
}

function checkCsrf(request: FastifyRequest, csrfKey: Buffer, cookie: string): void {
  if (!STATE_CHANGING.has(request.method)) return;
  const csrf = request.headers['x-csrf-token'];
  if (typeof csrf !== 'string' || !sameSecret(csrf, csrfTokenFor(csrfKey, cookie))) {
    request.principal = undefined;
    throw new ApiError(403, 'csrf_token_invalid', "a request that changes something with the session cookie must carry the session's X-CSRF-Token header", 'x-csrf-token');
  }
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const BEARER = /^Bearer ([A-Za-z0-9_.-]{1,512})$/;

function needs(options: AuthenticateOptions): string {
  const consoleRoles = consoleRolesOf(options);
  const parts = [
    ...(options.staffRoles?.length ? [`an API key of role ${options.staffRoles.join(' or ')}`] : []),
    ...(consoleRoles.length ? [`a console user of role ${consoleRoles.join(' or ')}`] : []),
    ...(options.merchant ? ['a merchant session'] : []),
  ];
  return parts.join(' or ') || 'nothing anyone holds';
}

/**
 * An onRequest hook (it runs before body validation) that sets `request.principal` or refuses:
 * 401 without credentials or with unknown or expired ones, 403 for a caller this route does not serve,
 * 403 `csrf_token_invalid` for a state-changing request with a session cookie but without the
 * session's X-CSRF-Token. A bearer value is tried as an API key first, then as a session token.
 * A browser may hold both a merchant and a console cookie: the console's requests say so
 * (X-Carepoints-App: console); otherwise the merchant's cookie serves routes that admit merchants.
 * For staff it also sets `apiRole`/`apiKeyId` as `requireRole` does; for a merchant `apiKeyId` is
 * `merchant:<id>`, so that idempotency keys are scoped per merchant.
 */
export function authenticate(ctx: AppContext, options: AuthenticateOptions) {
  const staffRoles = options.staffRoles ?? [];
  const forbidden = () => new ApiError(403, 'forbidden', `this operation needs ${needs(options)}`);
  const admitMerchant = (request: FastifyRequest, principal: MerchantPrincipal) => {
    if (!options.merchant) throw forbidden();
    request.principal = principal;
    request.apiKeyId = `merchant:${principal.merchantId}`;
  };

  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    if (header !== undefined) {
      const presented = BEARER.exec(header)?.[1];
      if (!presented) throw new ApiError(401, 'unauthenticated', 'Authorization header must be "Bearer <API key or session token>"', 'authorization');
      const key = findApiKey(ctx.apiKeys, presented);
      if (key) {
        if (!staffRoles.includes(key.role)) throw forbidden();
        request.principal = { kind: 'staff', role: key.role, keyId: key.keyId };
        request.apiRole = key.role;
        request.apiKeyId = key.keyId;
        return;
      }
      const session = await findSession(ctx.pool, presented, 'api', ctx.now());
      if (!session) throw new ApiError(401, 'unauthenticated', 'unknown API key or session token (a session may have expired or been signed out)', 'authorization');
      admitMerchant(request, { kind: 'merchant', merchantId: session.merchantId, sessionId: session.sessionId, via: 'bearer', sessionExpiresAt: session.expiresAt });
      return;
    }

    const fromConsole = request.headers['x-carepoints-app'] === 'console';
    const cookie = fromConsole ? undefined : request.cookies?.[SESSION_COOKIE];
    const staffCookie = request.cookies?.[STAFF_SESSION_COOKIE];
    if (cookie && (options.merchant || !staffCookie)) {
      const session = await findSession(ctx.pool, cookie, 'browser', ctx.now());
      if (!session) throw new ApiError(401, 'unauthenticated', 'the session has expired or was signed out: sign in again', 'cookie');
      admitMerchant(request, { kind: 'merchant', merchantId: session.merchantId, sessionId: session.sessionId, via: 'cookie', sessionExpiresAt: session.expiresAt });
      checkCsrf(request, ctx.auth.csrfKey, cookie);
      return;
    }
    if (staffCookie) {
      const session = await findStaffSession(ctx.pool, staffCookie, ctx.now());
      if (!session) throw new ApiError(401, 'unauthenticated', 'the console session has expired or was signed out: sign in again', 'cookie');
      if (!consoleRolesOf(options).includes(session.staff.role)) throw forbidden();
      const keyId = `staff-${session.staff.staffId}`;
      const role = actingRole(session.staff.role, staffRoles);
      request.principal = { kind: 'staff', role, keyId, console: { staffId: session.staff.staffId, role: session.staff.role, sessionId: session.sessionId, sessionExpiresAt: session.expiresAt } };
      if (role !== 'analyst') request.apiRole = role;
      request.apiKeyId = keyId;
      checkCsrf(request, ctx.auth.csrfKey, staffCookie);
      return;
    }
    throw new ApiError(401, 'unauthenticated', 'missing Authorization: Bearer <API key or session token> header (or session cookie)', 'authorization');
  };
}

export interface ScopeOptions {
  /** The kind of thing in the error code, `<thing>_not_found`: merchant (default), claim, … */
  thing?: string;
  /** The id shown in the message (default: the merchant id). */
  id?: string | number;
  /** The request field named by the error (default `id`). */
  field?: string;
}

/**
 * Refuses a merchant principal that asks for another merchant's thing with the same 404 that an
 * absent thing gets (never 403: whether it exists is not revealed). Staff pass.
 */
export function merchantScope(request: FastifyRequest, merchantId: number, options: ScopeOptions = {}): void {
  const principal = request.principal;
  if (!principal) throw new ApiError(401, 'unauthenticated', 'this route needs an authenticated caller', 'authorization');
  if (principal.kind === 'merchant' && principal.merchantId !== merchantId) {
    const thing = options.thing ?? 'merchant';
    throw new ApiError(404, `${thing}_not_found`, `no ${thing} ${options.id ?? merchantId}`, options.field ?? 'id');
  }
}

/** The merchant a merchant principal acts for; null for staff (who may act for any). */
export function merchantIdOf(request: FastifyRequest): number | null {
  return request.principal?.kind === 'merchant' ? request.principal.merchantId : null;
}

/** What a principal's open event streams are counted under: its session, or its API key. */
export function streamOwnerOf(principal: Principal): string {
  if (principal.kind === 'merchant') return `merchant-session:${principal.sessionId}`;
  return principal.console ? `staff-session:${principal.console.sessionId}` : `api-key:${principal.keyId}`;
}

/**
 * Whether the principal of a request that is still being answered may still act: its session is not
 * signed out, revoked or expired. An API key is configuration, fixed for the life of the process.
 */
export async function principalIsLive(ctx: Pick<AppContext, 'pool' | 'now'>, principal: Principal): Promise<boolean> {
  if (principal.kind === 'merchant') return sessionIsLive(ctx.pool, principal, ctx.now());
  return principal.console ? staffSessionIsLive(ctx.pool, principal.console.sessionId, ctx.now()) : true;
}
