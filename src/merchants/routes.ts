import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { authenticate, merchantScope, bearerSecurity, requireRole } from '../auth/index.ts';
import { ApiError } from '../http/errors.ts';
import type { AppContext } from '../http/context.ts';
import { ERROR_RESPONSES } from '../http/context.ts';
import { runIdempotent } from '../http/idempotency.ts';
import { merchantJson } from './json.ts';
import { enrolmentProblem, normaliseEnrolment } from './enrolment.ts';
import { MerchantIdParams } from '../http/schemas.ts';
import { EnrolmentSchema, MerchantSchema } from './schema.ts';
import { DuplicateMerchantError, enrolMerchant, getMerchant } from './store.ts';
import { MAX_SEARCH_PAGE, searchMerchants } from './search.ts';
import { decodeCursor, encodeCursor } from '../http/cursor.ts';
import { pageOf } from '../http/list.ts';

const ownerSecurity = [...bearerSecurity, { sessionCookie: [] }];

export const merchantRoutes: FastifyPluginAsync<AppContext> = async (fastify, ctx) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const staff = requireRole(ctx.apiKeys, ['ops', 'platform']);
  const staffOrOwner = authenticate(ctx, { merchant: true, staffRoles: ['ops', 'platform'] });

  app.post(
    '/v1/merchants',
    {
      onRequest: staff,
      schema: {
        tags: ['merchants'],
        summary: 'Enrol a merchant',
        description: 'Validates the resident ID (GB 11643 check digit), stores only its keyed hash, and opens the merchant\'s ledger accounts. Accepts an Idempotency-Key header.',
        security: bearerSecurity,
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255 })) }),
        body: EnrolmentSchema,
        response: { 201: MerchantSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const problem = enrolmentProblem(request.body);
      if (problem) throw new ApiError(400, problem.code, problem.message, problem.field);
      try {
        const outcome = await runIdempotent(ctx.pool, request, async (client) => ({
          statusCode: 201,
          body: merchantJson(await enrolMerchant(client, normaliseEnrolment(request.body), ctx.idHashKey)),
        }));
        if (outcome.replayed) reply.header('idempotent-replayed', 'true');
        return reply.code(outcome.statusCode).send(outcome.body);
      } catch (err) {
        if (err instanceof DuplicateMerchantError) throw new ApiError(409, 'merchant_already_enrolled', err.message, err.field);
        throw err;
      }
    },
  );

  app.get(
    '/v1/merchants/:id',
    {
      onRequest: staffOrOwner,
      schema: { tags: ['merchants'], summary: 'Retrieve a merchant (a merchant session: only its own)', security: ownerSecurity, params: MerchantIdParams, response: { 200: MerchantSchema, ...ERROR_RESPONSES } },
    },
    async (request) => {
      merchantScope(request, Number(request.params.id), { id: request.params.id });
      const merchant = await getMerchant(ctx.pool, Number(request.params.id));
      if (!merchant) throw new ApiError(404, 'merchant_not_found', `no merchant ${request.params.id}`, 'id');
      return merchantJson(merchant);
    },
  );

  app.get(
    '/v1/merchants',
    {
      onRequest: authenticate(ctx, { staffRoles: ['ops', 'platform'], consoleRoles: ['admin', 'reviewer', 'analyst'] }),
      schema: {
        tags: ['merchants'],
        summary: 'Search merchants (staff)',
        description: 'q is a wallet user id, a phone number, a merchant id, or the start of a legal name. Cursor pagination: pass nextCursor back as cursor.',
        security: [...bearerSecurity, { staffCookie: [] }],
        querystring: Type.Object(
          {
            q: Type.String({ minLength: 1, maxLength: 64, pattern: '^\\S(.*\\S)?$' }),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_SEARCH_PAGE, default: 20 })),
            cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ object: Type.Literal('list'), data: Type.Array(MerchantSchema), hasMore: Type.Boolean(), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 20;
      const rows = await searchMerchants(ctx.pool, request.query.q, decodeCursor(request.query.cursor) ?? 0, limit + 1);
      const { page, ...more } = pageOf(rows, limit, (last) => encodeCursor(last.id));
      return { object: 'list' as const, data: page.map(merchantJson), ...more };
    },
  );
};
