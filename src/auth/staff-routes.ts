import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { inTransaction } from '../db/transaction.ts';
import type { AppContext } from '../http/context.ts';
import { ERROR_RESPONSES } from '../http/context.ts';
import { ApiError, errorBody } from '../http/errors.ts';
import { actorOf, recordAudit } from './audit.ts';
import { rateKeyOfAddress } from './ip.ts';
import { authenticate } from './principal.ts';
import { csrfTokenFor } from './sessions.ts';
import {
  addStaffUser,
  MIN_STAFF_PASSWORD_CHARS,
  revokeStaffSession,
  STAFF_ROLES,
  STAFF_SESSION_COOKIE,
  STAFF_USERNAME_PATTERN,
  staffSignIn,
  StaffUserExists,
  type StaffUser,
} from './staff.ts';
import { onlyRow } from '../shared/assert.ts';

const Role = Type.Union([Type.Literal('admin'), Type.Literal('reviewer'), Type.Literal('analyst')]);
const StaffUserSchema = Type.Object({ id: Type.String(), object: Type.Literal('staff_user'), username: Type.String(), displayName: Type.String(), role: Role });
const StaffSessionSchema = Type.Object({
  object: Type.Literal('staff_session'),
  staff: StaffUserSchema,
  expiresAt: Type.String({ format: 'date-time' }),
  csrfToken: Type.String({ description: 'Send as X-CSRF-Token on POST, PUT, PATCH and DELETE' }),
});
const CONSOLE_SECURITY = [{ staffCookie: [] }];

function staffJson(u: StaffUser) {
  return { id: String(u.staffId), object: 'staff_user' as const, username: u.username, displayName: u.displayName, role: u.role };
}

function cookieOptions(ctx: AppContext, request: FastifyRequest) {
  return { httpOnly: true, sameSite: 'strict' as const, path: '/', secure: ctx.auth.secureCookies || request.protocol === 'https' };
}

/** The console's staff: password sign-in (argon2id), sign-out, the current user, and (admins) adding users. */
export const staffRoutes: FastifyPluginAsync<AppContext> = async (fastify, ctx) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const anyStaff = authenticate(ctx, { consoleRoles: STAFF_ROLES });

  app.post(
    '/v1/staff/sessions',
    {
      schema: {
        tags: ['staff'],
        summary: 'Console sign-in with username and password',
        description: 'Sets the http-only, SameSite=Strict cookie cp_staff (36 hours) and returns the csrfToken. Wrong credentials answer 401 alike for unknown users; failures count against the address (429 with Retry-After).',
        body: Type.Object(
          { username: Type.String({ pattern: STAFF_USERNAME_PATTERN, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 200 }) },
          { additionalProperties: false },
        ),
        response: { 201: StaffSessionSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const outcome = await staffSignIn(ctx.pool, ctx.auth, { ...request.body, address: rateKeyOfAddress(request.ip), ip: request.ip, now: ctx.now() });
      if (!outcome.ok) {
        if (outcome.reason === 'rate_limited') {
          return reply.code(429).header('retry-after', String(outcome.retryAfterSeconds)).send(errorBody('rate_limited', `too many failed sign-ins from this address; retry in ${outcome.retryAfterSeconds} s`));
        }
        throw new ApiError(401, 'wrong_credentials', 'unknown username or wrong password', 'password');
      }
      reply.header('cache-control', 'no-store');
      reply.setCookie(STAFF_SESSION_COOKIE, outcome.token, { ...cookieOptions(ctx, request), expires: outcome.session.expiresAt });
      return reply.code(201).send({
        object: 'staff_session' as const,
        staff: staffJson(outcome.session.staff),
        expiresAt: outcome.session.expiresAt.toISOString(),
        csrfToken: csrfTokenFor(ctx.auth.csrfKey, outcome.token),
      });
    },
  );

  app.get(
    '/v1/staff/me',
    { onRequest: anyStaff, schema: { tags: ['staff'], summary: 'The signed-in console user (and the CSRF token, e.g. after a reload)', security: CONSOLE_SECURITY, response: { 200: StaffSessionSchema, ...ERROR_RESPONSES } } },
    async (request, reply) => {
      const session = request.principal?.kind === 'staff' ? request.principal.console : undefined;
      if (!session) throw new ApiError(403, 'forbidden', 'only a console session has a /v1/staff/me');
      const { rows } = await ctx.pool.query<{ username: string; display_name: string }>('SELECT username, display_name FROM staff_users WHERE staff_id = $1', [session.staffId]);
      const user = onlyRow(rows, `staff user ${session.staffId}, whose session is live`);
      reply.header('cache-control', 'no-store');
      return {
        object: 'staff_session' as const,
        staff: staffJson({ staffId: session.staffId, username: user.username, displayName: user.display_name, role: session.role }),
        expiresAt: session.sessionExpiresAt.toISOString(),
        csrfToken: csrfTokenFor(ctx.auth.csrfKey, request.cookies[STAFF_SESSION_COOKIE]!),
      };
    },
  );

  app.delete(
    '/v1/staff/session',
    { onRequest: anyStaff, schema: { tags: ['staff'], summary: 'Console sign-out', security: CONSOLE_SECURITY, response: { 204: Type.Null(), ...ERROR_RESPONSES } } },
    async (request, reply) => {
      const session = request.principal?.kind === 'staff' ? request.principal.console : undefined;
      if (!session) throw new ApiError(403, 'forbidden', 'only a console session can be signed out here');
      await inTransaction(ctx.pool, async (client) => {
        if (await revokeStaffSession(client, session.sessionId, ctx.now())) {
          await recordAudit(client, { at: ctx.now(), ...actorOf(request), action: 'staff.sign_out', subjectKind: 'staff_session', subjectId: session.sessionId });
        }
      });
      reply.clearCookie(STAFF_SESSION_COOKIE, cookieOptions(ctx, request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/staff/users',
    {
      onRequest: authenticate(ctx, { staffRoles: ['ops'], consoleRoles: ['admin'] }),
      schema: {
        tags: ['staff'],
        summary: 'Add a console user (admins and ops keys)',
        security: [...CONSOLE_SECURITY, { apiKey: [] }],
        body: Type.Object(
          {
            username: Type.String({ pattern: STAFF_USERNAME_PATTERN, maxLength: 64 }),
            displayName: Type.String({ minLength: 1, maxLength: 64 }),
            role: Role,
            password: Type.String({ minLength: MIN_STAFF_PASSWORD_CHARS, maxLength: 200 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: StaffUserSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const user = await inTransaction(ctx.pool, async (client) => {
        const added = await addStaffUser(client, request.body);
        await recordAudit(client, { at: ctx.now(), ...actorOf(request), action: 'staff.add_user', subjectKind: 'staff_user', subjectId: added.staffId, details: { username: added.username, role: added.role } });
        return added;
      }).catch((err: unknown) => {
        if (err instanceof StaffUserExists) throw new ApiError(409, 'staff_user_exists', err.message, 'username');
        throw err;
      });
      return reply.code(201).send(staffJson(user));
    },
  );
};
