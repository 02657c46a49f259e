import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { authenticate, csrfTokenFor, maskName, maskPhone, SESSION_COOKIE, SESSION_SECURITY } from '../auth/index.ts';
import type { AppContext } from '../http/context.ts';
import { ERROR_RESPONSES } from '../http/context.ts';
import { ApiError } from '../http/errors.ts';
import { getMerchant } from './store.ts';

const MeSchema = Type.Object({
  id: Type.String(),
  object: Type.Literal('merchant'),
  walletUserId: Type.String(),
  legalName: Type.String({ description: 'Masked (张*, 欧**娜); GET /v1/merchants/{id} has it in full' }),
  phone: Type.String({ description: 'Masked: 138****8000' }),
  city: Type.String(),
  enrolledAt: Type.String({ format: 'date-time' }),
  session: Type.Object({
    client: Type.Union([Type.Literal('browser'), Type.Literal('api')]),
    expiresAt: Type.String({ format: 'date-time' }),
    csrfToken: Type.Optional(Type.String({ description: 'Cookie sessions: the X-CSRF-Token to send (e.g. after a page reload)' })),
  }),
});

/** GET /v1/me: the merchant a session belongs to, masked, with what the app needs to keep the session. */
export const meRoutes: FastifyPluginAsync<AppContext> = async (fastify, ctx) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const merchant = authenticate(ctx, { merchant: true });

  app.get(
    '/v1/me',
    {
      onRequest: merchant,
      schema: { tags: ['auth'], summary: 'The signed-in merchant', security: SESSION_SECURITY, response: { 200: MeSchema, ...ERROR_RESPONSES } },
    },
    async (request, reply) => {
      const principal = request.principal!;
      if (principal.kind !== 'merchant') throw new ApiError(403, 'forbidden', 'only a merchant session has a /v1/me');
      const m = await getMerchant(ctx.pool, principal.merchantId);
      if (!m) throw new ApiError(404, 'merchant_not_found', `no merchant ${principal.merchantId}`);
      const cookie = principal.via === 'cookie' ? request.cookies[SESSION_COOKIE] : undefined;
      reply.header('cache-control', 'no-store');
      return {
        id: String(m.id),
        object: 'merchant' as const,
        walletUserId: m.walletUserId,
        legalName: maskName(m.legalName),
        phone: maskPhone(m.phone),
        city: m.city,
        enrolledAt: m.enrolledAt.toISOString(),
        session: {
          client: principal.via === 'cookie' ? ('browser' as const) : ('api' as const),
          expiresAt: principal.sessionExpiresAt.toISOString(),
          ...(cookie ? { csrfToken: csrfTokenFor(ctx.auth.csrfKey, cookie) } : {}),
        },
      };
    },
  );
};
