import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ApiError } from '../http/errors.ts';
import { bearerSecurity, requireRole } from '../http/auth.ts';
import type { AppContext } from '../http/context.ts';
import { ERROR_RESPONSES } from '../http/context.ts';
import { runIdempotent } from '../http/idempotency.ts';
import { merchantJson } from '../http/serialize.ts';
import { enrolmentProblem } from './enrolment.ts';
import { EnrolmentSchema, MerchantIdParams, MerchantSchema } from './schema.ts';
import { DuplicateMerchantError, enrolMerchant, getMerchant } from './store.ts';

export const merchantRoutes: FastifyPluginAsync<AppContext> = async (fastify, ctx) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const staff = requireRole(ctx.apiKeys, ['ops', 'platform']);

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
          body: merchantJson(await enrolMerchant(client, request.body, ctx.idHashKey)),
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
      onRequest: staff,
      schema: { tags: ['merchants'], summary: 'Retrieve a merchant', security: bearerSecurity, params: MerchantIdParams, response: { 200: MerchantSchema, ...ERROR_RESPONSES } },
    },
    async (request) => {
      const merchant = await getMerchant(ctx.pool, Number(request.params.id));
      if (!merchant) throw new ApiError(404, 'merchant_not_found', `no merchant ${request.params.id}`, 'id');
      return merchantJson(merchant);
    },
  );
};
