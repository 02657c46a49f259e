import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { authenticate, merchantScope, bearerSecurity } from '../auth/index.ts';
import { ERROR_RESPONSES, type AppContext } from '../http/context.ts';
import { ApiError } from '../http/errors.ts';
import { merchantBalance } from '../ledger/index.ts';
import { MerchantIdParams } from '../http/schemas.ts';
import { rulesetAt } from './accrual-rules.ts';
import { loadRulesets } from './rulesets.ts';
import { creditOutlook, EXPIRING_WITHIN_DAYS } from './summary.ts';

const Instant = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);
const CreditSummarySchema = Type.Object({
  object: Type.Literal('credit_summary'),
  merchantId: Type.String(),
  availableFen: Type.Integer({ description: 'Spendable now (reserved credit of claims in flight excluded)' }),
  reservedFen: Type.Integer(),
  debtFen: Type.Integer(),
  waiting: Type.Object({ amountFen: Type.Integer(), lots: Type.Integer(), collectBy: Instant }, { description: 'Earned, to be collected before collectBy or it lapses' }),
  expiring: Type.Object({ amountFen: Type.Integer(), withinDays: Type.Integer(), firstExpiresAt: Instant }),
  today: Type.Object({ businessDay: Type.String(), earningPayers: Type.Integer(), payersPerDay: Type.Integer() }),
});

/** Read models for the merchant app: the home screen's credit summary. */
export const pointsRoutes: FastifyPluginAsync<AppContext> = async (fastify, ctx) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/v1/merchants/:id/credit-summary',
    {
      onRequest: authenticate(ctx, { merchant: true, staffRoles: ['ops', 'platform'] }),
      schema: {
        tags: ['points'],
        summary: "A merchant's credit at a glance: available, waiting to be collected (and until when), expiring soon, debt, today's earning payers",
        security: [...bearerSecurity, { sessionCookie: [] }],
        params: MerchantIdParams,
        response: { 200: CreditSummarySchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const merchantId = Number(request.params.id);
      merchantScope(request, merchantId, { id: request.params.id });
      const balance = await merchantBalance(ctx.pool, merchantId);
      if (!balance) throw new ApiError(404, 'merchant_not_found', `no merchant ${request.params.id}`, 'id');
      const now = ctx.now();
      const [outlook, versions] = await Promise.all([creditOutlook(ctx.pool, merchantId, now), loadRulesets(ctx.pool)]);
      reply.header('cache-control', 'no-store');
      return {
        object: 'credit_summary' as const,
        merchantId: String(merchantId),
        availableFen: balance.availableFen,
        reservedFen: balance.reservedFen,
        debtFen: balance.debtFen,
        waiting: { amountFen: outlook.waitingFen, lots: outlook.waitingLots, collectBy: outlook.firstCollectBy?.toISOString() ?? null },
        expiring: { amountFen: outlook.expiringFen, withinDays: EXPIRING_WITHIN_DAYS, firstExpiresAt: outlook.firstExpiresAt?.toISOString() ?? null },
        today: { businessDay: outlook.businessDay, earningPayers: outlook.earningPayersToday, payersPerDay: rulesetAt(versions, now).rules.payersPerDay },
      };
    },
  );
};
