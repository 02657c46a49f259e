import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type pg from 'pg';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { actorOf, authenticate, merchantScope, recordAudit, bearerSecurity, requireRole } from '../auth/index.ts';
import { ApiError } from '../http/errors.ts';
import type { AppContext } from '../http/context.ts';
import { ERROR_RESPONSES } from '../http/context.ts';
import { decodeCursor, encodeCursor } from '../http/cursor.ts';
import { accountJson, balanceJson, transferJson } from './json.ts';
import { MerchantIdParams } from '../http/schemas.ts';
import { ID_PATTERN } from '../http/schemas.ts';
import { accountsById, createTransfers, merchantBalance, merchantHistory, MAX_HISTORY_PAGE, MERCHANT_CREDIT_KINDS, type TransferResult } from './index.ts';
import { AccountSchema, BalanceSchema, TransferBatchSchema, TransferInputSchema, TransferResultSchema, TransferSchema, transferBodyProblem, transferInputOf } from './schema.ts';

/** HTTP status of a single transfer's outcome (a batch always answers 200 with per-item results). */
const FAILURE_STATUS: Partial<Record<string, number>> = {
  exists_with_different_fields: 409,
  pending_transfer_already_posted: 409,
  pending_transfer_already_voided: 409,
};

function resultJson(r: TransferResult) {
  return r.status === 'failed' ? { id: r.id, status: r.status, error: r.error } : { id: r.id, status: r.status, transfer: transferJson(r.transfer) };
}

/** Operators move programme money and debt; merchant credit moves with its lots, in the points capability. */
const OPS_POLICY = { closedKinds: MERCHANT_CREDIT_KINDS };

/**
 * The author of an operator's transfers: one audit row per batch that created any, naming the caller
 * (API key or console user) and each transfer it created, with its accounts and amount. Replays of
 * stored transfers and refused ones move nothing and are not recorded.
 */
function auditOpsTransfers(request: FastifyRequest) {
  return async (client: pg.PoolClient, results: readonly TransferResult[]): Promise<void> => {
    const created = results.flatMap((r) => (r.status === 'created' ? [r.transfer] : []));
    if (created.length === 0) return;
    await recordAudit(client, {
      ...actorOf(request),
      action: 'ledger.transfers',
      // a lone transfer is the row's subject (found by the subject index); a batch's are in its details
      ...(created.length === 1 ? { subjectKind: 'transfer', subjectId: created[0]!.id } : {}),
      details: {
        transfers: created.map((t) => ({ id: t.id, debitAccountId: t.debitAccountId, creditAccountId: t.creditAccountId, amountFen: t.amountFen, code: t.code, phase: t.phase })),
        totalFen: created.reduce((sum, t) => sum + t.amountFen, 0),
      },
    });
  };
}

export const ledgerRoutes: FastifyPluginAsync<AppContext> = async (fastify, ctx) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ops = requireRole(ctx.apiKeys, ['ops']);
  const staffOrOwner = authenticate(ctx, { merchant: true, staffRoles: ['ops', 'platform'] });
  const ownerSecurity = [...bearerSecurity, { sessionCookie: [] }];

  app.post(
    '/v1/ledger/transfers',
    {
      onRequest: ops,
      schema: {
        tags: ['ledger'],
        summary: 'Create one transfer',
        description: 'The id is the idempotency key: the same id and body answer 200 with the stored transfer; the same id with a different body answers 409. Limits and unknown accounts answer 422, as does the pending or available credit account of a merchant (account_kind_not_allowed): that credit moves only with its credit lots, through accrual, collection, claims and sweeps.',
        security: bearerSecurity,
        body: TransferInputSchema,
        response: { 200: TransferSchema, 201: TransferSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const problem = transferBodyProblem(request.body);
      if (problem) throw new ApiError(400, 'invalid_field', problem.message, problem.field);
      if (request.body.linked) throw new ApiError(400, 'invalid_field', 'linked transfers need the batch endpoint', 'linked');
      const [result] = await createTransfers(ctx.pool, [transferInputOf(request.body)], OPS_POLICY, auditOpsTransfers(request));
      ctx.metrics.ledgerTransfers.inc({ status: result!.status });
      if (result!.status === 'failed') {
        throw new ApiError(FAILURE_STATUS[result!.error] ?? 422, result!.error, `transfer refused: ${result!.error.replaceAll('_', ' ')}`);
      }
      return reply.code(result!.status === 'created' ? 201 : 200).send(transferJson(result!.transfer));
    },
  );

  app.post(
    '/v1/ledger/transfers::batch',
    {
      onRequest: ops,
      schema: {
        tags: ['ledger'],
        summary: 'Create a batch of transfers in one transaction',
        description: 'One result per transfer, in order. Linked transfers succeed or fail together.',
        security: bearerSecurity,
        body: TransferBatchSchema,
        response: { 200: Type.Object({ results: Type.Array(TransferResultSchema) }), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      request.body.transfers.forEach((t, i) => {
        const problem = transferBodyProblem(t);
        if (problem) throw new ApiError(400, 'invalid_field', `transfers[${i}]: ${problem.message}`, `transfers.${i}.${problem.field}`);
      });
      const results = await createTransfers(ctx.pool, request.body.transfers.map(transferInputOf), OPS_POLICY, auditOpsTransfers(request));
      for (const r of results) ctx.metrics.ledgerTransfers.inc({ status: r.status });
      return { results: results.map(resultJson) };
    },
  );

  app.get(
    '/v1/ledger/accounts/:accountId',
    {
      onRequest: ops,
      schema: {
        tags: ['ledger'],
        summary: 'Retrieve an account and its balances',
        security: bearerSecurity,
        params: Type.Object({ accountId: Type.String({ pattern: ID_PATTERN }) }, { additionalProperties: false }),
        response: { 200: AccountSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const id = Number(request.params.accountId);
      const account = (await accountsById(ctx.pool, [id])).get(id);
      if (!account) throw new ApiError(404, 'account_not_found', `no account ${id}`, 'accountId');
      return accountJson(account);
    },
  );

  app.get(
    '/v1/merchants/:id/balance',
    {
      onRequest: staffOrOwner,
      schema: { tags: ['ledger'], summary: "A merchant's available, reserved, pending and debt balances", security: ownerSecurity, params: MerchantIdParams, response: { 200: BalanceSchema, ...ERROR_RESPONSES } },
    },
    async (request) => {
      merchantScope(request, Number(request.params.id), { id: request.params.id });
      const balance = await merchantBalance(ctx.pool, Number(request.params.id));
      if (!balance) throw new ApiError(404, 'merchant_not_found', `no merchant ${request.params.id}`, 'id');
      return balanceJson(balance);
    },
  );

  app.get(
    '/v1/merchants/:id/transfers',
    {
      onRequest: staffOrOwner,
      schema: {
        tags: ['ledger'],
        summary: "A merchant's ledger history, newest first",
        description: 'Cursor pagination: pass nextCursor back as cursor.',
        security: ownerSecurity,
        params: MerchantIdParams,
        querystring: Type.Object(
          {
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_HISTORY_PAGE, default: 20 })),
            cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ object: Type.Literal('list'), data: Type.Array(TransferSchema), hasMore: Type.Boolean(), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => {
      const merchantId = Number(request.params.id);
      merchantScope(request, merchantId, { id: request.params.id });
      const beforeSeq = decodeCursor(request.query.cursor);
      const balance = await merchantBalance(ctx.pool, merchantId);
      if (!balance) throw new ApiError(404, 'merchant_not_found', `no merchant ${request.params.id}`, 'id');
      const page = await merchantHistory(ctx.pool, merchantId, { limit: request.query.limit ?? 20, ...(beforeSeq !== undefined ? { beforeSeq } : {}) });
      const last = page.transfers.at(-1);
      return {
        object: 'list' as const,
        data: page.transfers.map(transferJson),
        hasMore: page.hasMore,
        nextCursor: page.hasMore && last ? encodeCursor(last.seq) : null,
      };
    },
  );
};
