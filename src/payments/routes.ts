import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { authenticate, bearerSecurity, requireRole } from '../auth/index.ts';
import { ERROR_RESPONSES, type AppContext } from '../http/context.ts';
import { decodeTimeCursor, encodeTimeCursor } from '../http/cursor.ts';
import { ApiError } from '../http/errors.ts';
import { listQuery, listSchema, pageOf } from '../http/list.ts';
import { isoMicros } from '../db/time-key.ts';
import { MerchantIdParams } from '../http/schemas.ts';
import { MAX_INGEST_BATCH, type IngestResult } from './ingest.ts';
import { ingestIsolated, reportParked } from './isolate.ts';
import { parseNotification, type PaymentNotification } from './notification.ts';
import { notificationWebhook } from './webhook.ts';
import { parkedNotificationRoutes } from './parked-routes.ts';

const BatchItem = Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), { maxProperties: 64 });
const BATCH_BODY_LIMIT_BYTES = 16 * 1024 * 1024;
const TRADE_NO = /^[A-Za-z0-9_-]{1,64}$/;

const IngestResultSchema = Type.Object({
  index: Type.Integer(),
  tradeNo: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union([Type.Literal('applied'), Type.Literal('duplicate'), Type.Literal('unmatched'), Type.Literal('rejected'), Type.Literal('parked'), Type.Literal('beyond_history')]),
  outcome: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  creditFen: Type.Optional(Type.Integer()),
  welcomeFen: Type.Optional(Type.Integer()),
  clawedBackFen: Type.Optional(Type.Integer()),
  signals: Type.Optional(Type.Array(Type.String())),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String(), field: Type.Optional(Type.String()) })),
});

function resultJson(index: number, r: IngestResult) {
  if (r.status === 'parked') return { index, tradeNo: r.tradeNo, status: r.status, error: { code: 'parked', message: `failed on its own and set aside for operators: ${r.error}` } };
  return { index, tradeNo: r.tradeNo, status: r.status, outcome: r.outcome, creditFen: r.creditFen, welcomeFen: r.welcomeFen, clawedBackFen: r.clawedBackFen, signals: r.signals };
}

export const paymentRoutes: FastifyPluginAsync<AppContext> = async (fastify, ctx) => {
  await fastify.register(notificationWebhook, ctx);
  await fastify.register(parkedNotificationRoutes, ctx);
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const platform = requireRole(ctx.apiKeys, ['platform', 'ops']);
  const ops = requireRole(ctx.apiKeys, ['ops']);
  // the console's admins act as ops on these (analysts read)
  const opsOrAdmin = authenticate(ctx, { staffRoles: ['ops'] });

  app.post(
    // "::" is a literal colon; a single one would make ":batch" a path parameter matching /v1/payments too
    '/v1/payments::batch',
    {
      onRequest: platform,
      bodyLimit: BATCH_BODY_LIMIT_BYTES,
      schema: {
        tags: ['payments'],
        summary: 'Ingest up to 10,000 payment notifications in one transaction',
        description: 'Items carry the notification fields (unsigned; the API key authenticates the platform). Bad items come back with per-item errors; the good ones apply.',
        security: bearerSecurity,
        body: Type.Array(BatchItem, { minItems: 1, maxItems: MAX_INGEST_BATCH }),
        response: { 200: Type.Object({ results: Type.Array(IngestResultSchema) }), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const good: { index: number; notification: PaymentNotification }[] = [];
      const results: unknown[] = new Array(request.body.length);
      const receivedAt = ctx.now();
      request.body.forEach((item, index) => {
        const parsed = parseNotification(item, receivedAt);
        if (parsed.ok) good.push({ index, notification: parsed.notification });
        else results[index] = { index, tradeNo: typeof item.trade_no === 'string' ? item.trade_no : null, status: 'rejected', error: { code: parsed.code, message: parsed.message, field: parsed.field } };
      });
      const applied = await ingestIsolated(ctx.pool, good.map((g) => g.notification), 'batch');
      await reportParked(ctx.pool, request.log, applied, 'batch');
      good.forEach((g, i) => (results[g.index] = resultJson(g.index, applied[i]!)));
      return { results } as never;
    },
  );

  app.get(
    '/v1/payments/unmatched',
    {
      onRequest: ops,
      schema: {
        tags: ['payments'],
        summary: 'Payments to payees that are not enrolled merchants, newest first',
        security: bearerSecurity,
        querystring: Type.Object(listQuery(50), { additionalProperties: false }),
        response: {
          200: listSchema(Type.Object({ tradeNo: Type.String(), sellerId: Type.String(), buyerId: Type.String(), totalFen: Type.Integer(), status: Type.String(), receivedAt: Type.String() })),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const after = decodeTimeCursor(request.query.cursor, TRADE_NO);
      const { rows } = await ctx.pool.query<{ trade_no: string; seller_id: string; buyer_id: string; total_fen: number; status: string; received_at: Date; key_at: string }>(
        `SELECT trade_no, seller_id, buyer_id, total_fen, status, received_at, ${isoMicros('received_at')} AS key_at FROM unmatched_payments
          WHERE $2::timestamptz IS NULL OR (received_at, trade_no) < ($2, $3) ORDER BY received_at DESC, trade_no DESC LIMIT $1`,
        [limit + 1, after?.at ?? null, after?.id ?? null],
      );
      const { page, ...more } = pageOf(rows, limit, (last) => encodeTimeCursor(last.key_at, last.trade_no));
      return {
        object: 'list' as const,
        data: page.map((r) => ({ tradeNo: r.trade_no, sellerId: r.seller_id, buyerId: r.buyer_id, totalFen: r.total_fen, status: r.status, receivedAt: r.received_at.toISOString() })),
        ...more,
      };
    },
  );

  app.get(
    '/v1/merchants/:id/signals',
    {
      onRequest: opsOrAdmin,
      schema: {
        tags: ['payments'],
        summary: 'Points-farming signals recorded for a merchant (counts; not yet blocking)',
        security: bearerSecurity,
        params: MerchantIdParams,
        response: { 200: Type.Object({ merchantId: Type.String(), signals: Type.Record(Type.String(), Type.Integer()) }), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { rows } = await ctx.pool.query<{ farming_signals: Record<string, number> }>('SELECT farming_signals FROM merchant_accrual WHERE merchant_id = $1', [Number(request.params.id)]);
      if (!rows[0]) throw new ApiError(404, 'merchant_not_found', `no merchant ${request.params.id}`, 'id');
      return { merchantId: request.params.id, signals: rows[0].farming_signals };
    },
  );
};
