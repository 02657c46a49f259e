import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { AppContext } from '../http/context.ts';
import { ERROR_RESPONSES } from '../http/context.ts';
import { ApiError, errorBody } from '../http/errors.ts';
import { ID_PATTERN, PHONE_PATTERN } from '../http/schemas.ts';
import { recordAudit } from './audit.ts';
import { rateKeyOfAddress } from './ip.ts';
import { maskPhone } from './mask.ts';
import { requestCode } from './otp.ts';
import { authenticate } from './principal.ts';
import { csrfTokenFor, revokeSession, SESSION_COOKIE } from './sessions.ts';
import { SESSION_SECURITY } from './require-role.ts';
import { OTP_LIFETIME_MS, OTP_MAX_FAILED_ATTEMPTS } from './settings.ts';
import { signIn } from './sign-in.ts';
import { signInText } from './sms.ts';

const Phone = Type.String({ pattern: PHONE_PATTERN, maxLength: 11, description: 'Mainland mobile number, 11 digits', examples: ['13800138000'] });

const SessionSchema = Type.Object({
  object: Type.Literal('session'),
  client: Type.Union([Type.Literal('browser'), Type.Literal('api')]),
  merchantId: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
  token: Type.Optional(Type.String({ description: 'api clients: send as Authorization: Bearer <token>' })),
  csrfToken: Type.Optional(Type.String({ description: 'browser clients: send as X-CSRF-Token on POST, PUT, PATCH and DELETE' })),
});

function tooMany(reply: FastifyReply, seconds: number, message: string, field?: string) {
  return reply.code(429).header('retry-after', String(seconds)).send(errorBody('rate_limited', `${message}; retry in ${seconds} s`, field));
}

/** Merchant sign-in: one-time codes, sessions, sign-out (the signed-in merchant, /v1/me, is served by merchants); in development also GET /v1/dev/otp. */
export const authRoutes: FastifyPluginAsync<AppContext> = async (fastify, ctx) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const merchant = authenticate(ctx, { merchant: true });
  fastify.addHook('onClose', async () => ctx.auth.sms.settled());

  app.post(
    '/v1/auth/otp',
    {
      schema: {
        tags: ['auth'],
        summary: 'Send a one-time sign-in code by SMS',
        description:
          'Answers 202 alike for every well-formed phone, enrolled or not (only an enrolled phone is sent a code). The code has 6 digits, lives 5 minutes, allows 5 wrong tries and replaces any earlier code. Rate-limited per phone (1 a minute, 10 a day; an address the phone signed in from has a budget of its own, so strangers spending it lock no merchant out) and per client address (20 an hour): 429 with Retry-After.',
        body: Type.Object({ phone: Phone }, { additionalProperties: false }),
        response: { 202: Type.Object({ object: Type.Literal('otp_request'), phone: Type.String(), expiresInSeconds: Type.Integer() }), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { phone } = request.body;
      const outcome = await requestCode(ctx.pool, ctx.auth, { phone, address: rateKeyOfAddress(request.ip), ip: request.ip, now: ctx.now() });
      if (!outcome.ok) {
        return outcome.limitedBy === 'phone'
          ? tooMany(reply, outcome.retryAfterSeconds, 'too many codes requested for this phone', 'phone')
          : tooMany(reply, outcome.retryAfterSeconds, 'too many codes requested from this address');
      }
      if (outcome.code) ctx.auth.sms.dispatch(phone, signInText(outcome.code, OTP_LIFETIME_MS / 60_000));
      return reply.code(202).send({ object: 'otp_request' as const, phone: maskPhone(phone), expiresInSeconds: OTP_LIFETIME_MS / 1000 });
    },
  );

  app.post(
    '/v1/auth/sessions',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign in with the phone and its one-time code',
        description:
          '`browser`: sets the http-only, SameSite=Lax session cookie and returns the csrfToken to send as X-CSRF-Token on POST, PUT, PATCH and DELETE. `api`: returns a token for Authorization: Bearer. Sessions last 30 days. A phone enrolled for several merchants needs merchantId (409 merchant_choice_required otherwise).',
        body: Type.Object(
          {
            phone: Phone,
            code: Type.String({ pattern: '^[0-9]{6}$', maxLength: 6, description: 'The 6-digit code sent by SMS' }),
            client: Type.Union([Type.Literal('browser'), Type.Literal('api')]),
            merchantId: Type.Optional(Type.String({ pattern: ID_PATTERN })),
          },
          { additionalProperties: false },
        ),
        response: { 201: SessionSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const outcome = await signIn(ctx.pool, ctx.auth, {
        phone: body.phone,
        code: body.code,
        client: body.client,
        ...(body.merchantId !== undefined ? { merchantId: Number(body.merchantId) } : {}),
        address: rateKeyOfAddress(request.ip),
        ip: request.ip,
        now: ctx.now(),
      });
      if (!outcome.ok) {
        switch (outcome.reason) {
          case 'rate_limited':
            return tooMany(reply, outcome.retryAfterSeconds, 'too many failed sign-ins from this address');
          case 'missing':
          case 'expired':
            throw new ApiError(401, 'otp_expired', 'no live code for this phone (expired, already used or never requested): request a new one', 'code');
          case 'exhausted':
            throw new ApiError(401, 'otp_attempts_exhausted', `${OTP_MAX_FAILED_ATTEMPTS} wrong tries have voided this code: request a new one`, 'code');
          case 'wrong':
            throw new ApiError(
              401,
              'otp_invalid',
              outcome.attemptsLeft > 0 ? `wrong code; ${outcome.attemptsLeft} ${outcome.attemptsLeft === 1 ? 'try' : 'tries'} left` : 'wrong code; that was the last try: request a new code',
              'code',
            );
          case 'choose_merchant':
            throw new ApiError(409, 'merchant_choice_required', `this phone is enrolled for merchants ${outcome.merchantIds.join(', ')}: repeat with merchantId`, 'merchantId');
          case 'merchant_not_found':
            throw new ApiError(404, 'merchant_not_found', `no merchant ${body.merchantId} with this phone`, 'merchantId');
        }
      }
      const { session } = outcome;
      reply.header('cache-control', 'no-store');
      const common = { object: 'session' as const, client: session.client, merchantId: String(session.merchantId), expiresAt: session.expiresAt.toISOString() };
      if (session.client === 'api') return reply.code(201).send({ ...common, token: session.token });
      reply.setCookie(SESSION_COOKIE, session.token, {
        httpOnly: true,
        sameSite: 'lax',
        path: '/',
        secure: ctx.auth.secureCookies || request.protocol === 'https',
        expires: session.expiresAt,
      });
      return reply.code(201).send({ ...common, csrfToken: csrfTokenFor(ctx.auth.csrfKey, session.token) });
    },
  );

  app.delete(
    '/v1/auth/session',
    {
      onRequest: merchant,
      schema: {
        tags: ['auth'],
        summary: 'Sign out: revoke the current session',
        description: 'With the cookie, X-CSRF-Token is required. The cookie is cleared.',
        security: SESSION_SECURITY,
        response: { 204: Type.Null(), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      if (principal.kind !== 'merchant') throw new ApiError(403, 'forbidden', 'only a merchant session can be signed out');
      const now = ctx.now();
      const client = await ctx.pool.connect();
      try {
        await client.query('BEGIN');
        if (await revokeSession(client, principal, now)) {
          await recordAudit(client, {
            at: now,
            actorKind: 'merchant',
            actorId: principal.merchantId,
            action: 'auth.sign_out',
            subjectKind: 'session',
            subjectId: principal.sessionId,
            details: { via: principal.via },
          });
        }
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
      if (principal.via === 'cookie') reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', path: '/', secure: ctx.auth.secureCookies || request.protocol === 'https' });
      return reply.code(204).send(null);
    },
  );

  if (ctx.devEndpoints) {
    app.get(
      '/v1/dev/otp',
      {
        schema: {
          tags: ['development'],
          summary: 'Development only: the last sign-in code the development SMS provider "sent" to a phone',
          querystring: Type.Object({ phone: Phone }, { additionalProperties: false }),
          response: { 200: Type.Object({ phone: Type.String(), code: Type.Union([Type.String(), Type.Null()]), text: Type.String(), sentAt: Type.String({ format: 'date-time' }) }), ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        await ctx.auth.sms.settled();
        const { rows } = await ctx.pool.query<{ text: string; sent_at: Date }>('SELECT text, sent_at FROM dev_sms_outbox WHERE phone = $1 ORDER BY message_id DESC LIMIT 1', [request.query.phone]);
        const row = rows[0];
        if (!row) throw new ApiError(404, 'otp_not_found', `no code was sent to ${request.query.phone}`, 'phone');
        reply.header('cache-control', 'no-store');
        return { phone: request.query.phone, code: /(\d{6})/.exec(row.text)?.[1] ?? null, text: row.text, sentAt: row.sent_at.toISOString() };
      },
    );
  }
};
