import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { authenticate, bearerSecurity } from '../auth/index.ts';
import { ERROR_RESPONSES, type AppContext } from '../http/context.ts';
import { dashboard } from './dashboard.ts';

const Count = Type.Integer({ minimum: 0 });
const DashboardSchema = Type.Object({
  object: Type.Literal('dashboard'),
  days: Type.Array(
    Type.Object({
      day: Type.String({ description: 'Business day (Asia/Shanghai)' }),
      claims: Count,
      automatic: Type.Integer({ description: 'Claims decided by the machine (approved or rejected)' }),
      decided: Count,
      paid: Count,
      grantedFen: Count,
      collectedFen: Count,
      lapsedFen: Count,
      expiredFen: Count,
      enrolments: Count,
      appeals: Type.Integer({ minimum: 0, description: 'Appeals of refused claims made that day' }),
      appealsApproved: Type.Integer({ minimum: 0, description: 'Of those, upheld (the claim approved)' }),
      appealsRejected: Type.Integer({ minimum: 0, description: 'Of those, refused (the refusal stands); the rest wait for a reviewer' }),
    }),
  ),
  timeToMoney: Type.Object({
    p50Seconds: Type.Union([Type.Number(), Type.Null()]),
    p90Seconds: Type.Union([Type.Number(), Type.Null()]),
    buckets: Type.Array(Type.Object({ upToSeconds: Type.Union([Type.Number(), Type.Null()]), claims: Count })),
  }),
  enrolmentsByCity: Type.Array(Type.Object({ city: Type.String(), merchants: Count })),
});

/** Figures for the operations console's dashboard (analysts, admins, ops keys). */
export const reportRoutes: FastifyPluginAsync<AppContext> = async (fastify, ctx) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/v1/reports/dashboard',
    {
      onRequest: authenticate(ctx, { staffRoles: ['ops'], consoleRoles: ['admin', 'analyst', 'reviewer'] }),
      schema: {
        tags: ['reports'],
        summary: 'Claims, decisions, time to money, credits, enrolments and appeals per business day',
        security: [...bearerSecurity, { staffCookie: [] }],
        querystring: Type.Object({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366, default: 30 })) }, { additionalProperties: false }),
        response: { 200: DashboardSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => ({ object: 'dashboard' as const, ...(await dashboard(ctx.pool, ctx.now(), request.query.days ?? 30)) }),
  );
};
