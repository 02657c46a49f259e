import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { authenticate, bearerSecurity } from '../auth/index.ts';
import { ERROR_RESPONSES, type AppContext } from '../http/context.ts';
import { decodeTimeCursor, encodeTimeCursor } from '../http/cursor.ts';
import { pageOf } from '../http/list.ts';
import { isoMicros } from '../db/time-key.ts';

const STATES = ['ready', 'sending', 'unknown', 'succeeded', 'failed'] as const;
const MAX_PAGE = 100;

const PayoutSchema = Type.Object({
  object: Type.Literal('payout'),
  id: Type.String({ description: 'out_biz_no at the wallet gateway' }),
  merchantId: Type.String(),
  claimId: Type.String({ format: 'uuid' }),
  amountFen: Type.Integer(),
  state: Type.Union(STATES.map((s) => Type.Literal(s))),
  attempts: Type.Integer(),
  gatewayOrderId: Type.Union([Type.String(), Type.Null()]),
  failureCode: Type.Union([Type.String(), Type.Null()]),
  failureMessage: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  settledAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

interface PayoutRow {
  key_at: string;
  payout_id: string;
  merchant_id: string;
  claim_id: string;
  amount_fen: number;
  state: (typeof STATES)[number];
  attempts: number;
  gateway_order_id: string | null;
  failure_code: string | null;
  failure_message: string | null;
  created_at: Date;
  settled_at: Date | null;
}

/** Payouts for operators (read-only): newest first, by state. */
export const payoutRoutes: FastifyPluginAsync<AppContext> = async (fastify, ctx) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/v1/payouts',
    {
      onRequest: authenticate(ctx, { staffRoles: ['ops'], consoleRoles: ['admin', 'analyst'] }),
      schema: {
        tags: ['payouts'],
        summary: 'Payouts to merchants’ wallets, newest first',
        description: 'Cursor pagination: pass nextCursor back as cursor.',
        security: [...bearerSecurity, { staffCookie: [] }],
        querystring: Type.Object(
          {
            state: Type.Optional(Type.Union(STATES.map((s) => Type.Literal(s)))),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: 20 })),
            cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ object: Type.Literal('list'), data: Type.Array(PayoutSchema), hasMore: Type.Boolean(), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 20;
      const before = decodeTimeCursor(request.query.cursor);
      const { rows } = await ctx.pool.query<PayoutRow>(
        `SELECT payout_id, merchant_id::text, claim_id, amount_fen::int, state, attempts, gateway_order_id, failure_code, failure_message, created_at, settled_at, ${isoMicros('created_at')} AS key_at
           FROM payouts WHERE ($1::text IS NULL OR state = $1) AND ($2::timestamptz IS NULL OR (created_at, claim_id) < ($2, $3::uuid))
          ORDER BY created_at DESC, claim_id DESC LIMIT $4`,
        [request.query.state ?? null, before?.at ?? null, before?.id ?? null, limit + 1],
      );
      const { page, ...more } = pageOf(rows, limit, (last) => encodeTimeCursor(last.key_at, last.claim_id));
      return {
        object: 'list' as const,
        data: page.map((r) => ({
          object: 'payout' as const,
          id: r.payout_id,
          merchantId: r.merchant_id,
          claimId: r.claim_id,
          amountFen: r.amount_fen,
          state: r.state,
          attempts: r.attempts,
          gatewayOrderId: r.gateway_order_id,
          failureCode: r.failure_code,
          failureMessage: r.failure_message,
          createdAt: r.created_at.toISOString(),
          settledAt: r.settled_at?.toISOString() ?? null,
        })),
        ...more,
      };
    },
  );
};
