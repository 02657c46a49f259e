import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { authenticate, bearerSecurity } from '../auth/index.ts';
import { ERROR_RESPONSES, type AppContext } from '../http/context.ts';
import { decodeCursor, encodeCursor } from '../http/cursor.ts';
import { pageOf } from '../http/list.ts';

const ParkedSchema = Type.Object({
  id: Type.String(),
  object: Type.Literal('parked_notification'),
  tradeNo: Type.String(),
  source: Type.String(),
  error: Type.String(),
  times: Type.Integer({ description: 'How often this very notification failed and was parked' }),
  firstParkedAt: Type.String({ format: 'date-time' }),
  lastParkedAt: Type.String({ format: 'date-time' }),
  notification: Type.Unknown(),
});

interface ParkedRow {
  parked_id: number;
  trade_no: string;
  source: string;
  error: string;
  times: number;
  first_parked_at: Date;
  last_parked_at: Date;
  notification: unknown;
}

/** Operators' view of the notifications that failed on their own (src/payments/isolate.ts). */
export const parkedNotificationRoutes: FastifyPluginAsync<AppContext> = async (fastify, ctx) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/v1/ops/parked-notifications',
    {
      onRequest: authenticate(ctx, { staffRoles: ['ops'] }),
      schema: {
        tags: ['payments'],
        summary: 'Payment notifications that failed on their own and were set aside, newest first',
        description: 'Their neighbours in the batch were applied. Fix the cause, then send the notification again.',
        security: bearerSecurity,
        querystring: Type.Object(
          {
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
            cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ object: Type.Literal('list'), data: Type.Array(ParkedSchema), hasMore: Type.Boolean(), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const { rows } = await ctx.pool.query<ParkedRow>(
        `SELECT parked_id::int, trade_no, source, error, times, first_parked_at, last_parked_at, notification
           FROM parked_notifications WHERE parked_id < $1 ORDER BY parked_id DESC LIMIT $2`,
        [decodeCursor(request.query.cursor) ?? Number.MAX_SAFE_INTEGER, limit + 1],
      );
      const { page, ...more } = pageOf(rows, limit, (last) => encodeCursor(last.parked_id));
      return {
        object: 'list' as const,
        data: page.map((r) => ({
          id: String(r.parked_id),
          object: 'parked_notification' as const,
          tradeNo: r.trade_no,
          source: r.source,
          error: r.error,
          times: r.times,
          firstParkedAt: r.first_parked_at.toISOString(),
          lastParkedAt: r.last_parked_at.toISOString(),
          notification: r.notification,
        })),
        ...more,
      };
    },
  );
};
