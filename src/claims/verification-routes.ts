/**
 * Invoices checked with their issuer, for reviewers and operations: what the issuer said of the
 * claims at their decision and after payment, the queue of checks after payment, and the cache and
 * the daily limit as they stand.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { nullable } from '../http/schemas.ts';
import { authenticate, bearerSecurity } from '../auth/index.ts';
import { ERROR_RESPONSES, type AppContext } from '../http/context.ts';
import { decodeTimeCursor, encodeTimeCursor } from '../http/cursor.ts';
import { listSchema, pageOf, pageQueryFields } from '../http/list.ts';
import { verificationCacheState } from '../verification/index.ts';
import { listDeferredChecks, verificationSummary } from './verification-store.ts';

const Count = Type.Integer({ minimum: 0 });
const AfterPayment = Type.Union([Type.Literal('queued'), Type.Literal('verified'), Type.Literal('mismatched'), Type.Literal('unknown_bill')]);

const SummarySchema = Type.Object({
  atDecision: Type.Object({ verified: Count, mismatched: Count, unknown_bill: Count, deferred: Count }, { description: "Claims by the issuer's answer at their decision; deferred: decided without it" }),
  afterPayment: Type.Object({ queued: Count, verified: Count, mismatched: Count, unknown_bill: Count }, { description: 'Claims decided without the issuer, by their check after payment' }),
  sentToAudit: Type.Integer({ minimum: 0, description: 'Paid claims the issuer contradicted after payment, put on the audit desk' }),
  cache: Type.Object({
    foundBills: Count,
    notFoundBills: Count,
    checksToday: Type.Integer({ minimum: 0, description: 'Checks sent to the issuer this Shanghai day' }),
    billsLimitedToday: Type.Integer({ minimum: 0, description: "Bills a check of which was refused today: the day's checks of the bill were spent" }),
  }),
});

const DeferredSchema = Type.Object({
  merchantId: Type.Integer(),
  claimId: Type.String({ format: 'uuid' }),
  claimStatus: Type.String(),
  invoiceCode: Type.String(),
  invoiceNumber: Type.String(),
  totalFen: Type.Integer({ minimum: 0 }),
  deferredBecause: Type.String({ description: 'outage, timeout, busy, invalid_answer or daily_limit' }),
  checkedAt: Type.String({ format: 'date-time' }),
  afterPayment: AfterPayment,
  attempts: Type.Integer({ minimum: 0 }),
  lastError: nullable(Type.String()),
  settledAt: nullable(Type.String({ format: 'date-time' })),
  mismatchedFields: nullable(Type.Array(Type.String())),
  auditStatus: nullable(Type.String({ description: 'The audit a contradicted paid claim went to: pending, confirmed or overpaid' })),
});

export const verificationRoutes: FastifyPluginAsync<AppContext> = async (fastify, ctx) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const staff = authenticate(ctx, { merchant: false, staffRoles: ['reviewer', 'ops'] });

  app.get(
    '/v1/verifications/summary',
    {
      onRequest: staff,
      schema: {
        tags: ['verifications'],
        summary: "What invoices' issuers said of the claims (at the decision, after payment), and the cache and daily limit as they stand",
        security: bearerSecurity,
        response: { 200: SummarySchema, ...ERROR_RESPONSES },
      },
    },
    async () => ({ ...(await verificationSummary(ctx.pool)), cache: await verificationCacheState(ctx.pool, ctx.now()) }),
  );

  app.get(
    '/v1/verifications/deferred',
    {
      onRequest: staff,
      schema: {
        tags: ['verifications'],
        summary: 'Claims decided without their issuer (the service down or the day\'s checks spent): the queue of checks after payment and what they found, oldest first',
        security: bearerSecurity,
        querystring: Type.Object({ afterPayment: Type.Optional(AfterPayment), ...pageQueryFields(50) }, { additionalProperties: false }),
        response: { 200: listSchema(DeferredSchema), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const rows = await listDeferredChecks(ctx.pool, { after: decodeTimeCursor(request.query.cursor), limit: limit + 1, afterPayment: request.query.afterPayment });
      const { page, ...more } = pageOf(rows, limit, (last) => encodeTimeCursor(last.checkedAt, last.claimId));
      return { object: 'list' as const, data: page.map((r) => ({ ...r, checkedAt: r.checkedAt.toISOString(), settledAt: r.settledAt?.toISOString() ?? null })), ...more };
    },
  );
};
