import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { authenticate, merchantScope, bearerSecurity } from '../auth/index.ts';
import { ERROR_RESPONSES, type AppContext } from '../http/context.ts';
import { ApiError } from '../http/errors.ts';
import { balanceJson, merchantBalance } from '../ledger/index.ts';
import { MerchantIdParams } from '../http/schemas.ts';
import { present } from '../shared/assert.ts';
import { AccrualRulesSchema, rulesetAt } from './accrual-rules.ts';
import { ACCRUAL_RULESETS, loadRulesets } from './rulesets.ts';
import { rulesetRoutes } from './ruleset-routes.ts';
import { changeCredit } from './credit.ts';
import { collectCredits } from './store.ts';
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

/** A lot's life seen from outside: the merchant's credit summary, collecting, and the accrual rulesets. */
export const pointsRoutes: FastifyPluginAsync<AppContext> = async (fastify, ctx) => {
  await fastify.register(rulesetRoutes({ path: '/v1/rulesets', of: ACCRUAL_RULESETS, paramsSchema: AccrualRulesSchema, tag: 'points', governs: 'payments made' }), ctx);
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const staffOrOwner = authenticate(ctx, { merchant: true, staffRoles: ['ops', 'platform'] });
  app.get(
    '/v1/merchants/:id/credit-summary',
    {
      onRequest: staffOrOwner,
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

  app.post(
    '/v1/merchants/:id/credits::collect',
    {
      onRequest: staffOrOwner,
      schema: {
        tags: ['points'],
        summary: 'Collect the credit earned in the last collection window',
        description: 'Debt is repaid first; credit over the available cap is not granted; uncollected credit lapses after the window. A merchant session collects only its own (with the cookie: X-CSRF-Token).',
        security: [...bearerSecurity, { sessionCookie: [] }],
        params: MerchantIdParams,
        response: {
          200: Type.Object({ collectedFen: Type.Integer(), debtRepaidFen: Type.Integer(), forfeitedOverCapFen: Type.Integer(), lots: Type.Integer(), balance: Type.Unknown() }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => {
      const merchantId = Number(request.params.id);
      merchantScope(request, merchantId, { id: request.params.id });
      const versions = await loadRulesets(ctx.pool);
      const now = ctx.now();
      const summary = await changeCredit(ctx.pool, async (change) => {
        const locked = await change.lock([merchantId]);
        if (!locked.has(merchantId)) throw new ApiError(404, 'merchant_not_found', `no merchant ${request.params.id}`, 'id');
        return collectCredits(change, merchantId, rulesetAt(versions, now).rules, now);
      });
      return { ...summary, balance: balanceJson(present(await merchantBalance(ctx.pool, merchantId), `the balance of merchant ${merchantId}, locked above`)) };
    },
  );
};
