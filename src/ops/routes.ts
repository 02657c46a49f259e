/**
 * Operations: the dead-letter list of jobs and its retry, and the operator alerts (payout
 * reconciliation mismatches, …). Ops keys only; every retry audited.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { actorOf, authenticate, recordAudit, bearerSecurity } from '../auth/index.ts';
import { inTransaction } from '../db/transaction.ts';
import { ERROR_RESPONSES, type AppContext } from '../http/context.ts';
import { ApiError } from '../http/errors.ts';
import { deadJobs, retryDeadJob } from '../jobs/index.ts';

export const opsRoutes: FastifyPluginAsync<AppContext> = async (fastify, ctx) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/v1/ops/dead-jobs',
    {
      onRequest: authenticate(ctx, { merchant: false, staffRoles: ['ops'] }),
      schema: { tags: ['operations'], summary: 'Jobs that used every retry: the dead-letter list (POST /v1/ops/jobs/:id/retry runs one again)', security: bearerSecurity, response: { 200: Type.Object({ object: Type.Literal('list'), data: Type.Array(Type.Unknown()) }), ...ERROR_RESPONSES } },
    },
    async () => ({ object: 'list' as const, data: (await deadJobs(ctx.pool)).map((j) => ({ ...j, updatedAt: j.updatedAt.toISOString() })) }),
  );

  app.post(
    '/v1/ops/jobs/:id/retry',
    {
      onRequest: authenticate(ctx, { merchant: false, staffRoles: ['ops'] }),
      schema: {
        tags: ['operations'],
        summary: 'Run a dead job again (audited)',
        description: 'Resets its attempts and makes it due now; a worker takes it at once. 404 job_not_dead for an unknown job or one that is not dead (waiting, running or done). Fix the cause first: it has every attempt again.',
        security: [...bearerSecurity, { staffCookie: [] }],
        params: Type.Object({ id: Type.String({ pattern: '^[1-9][0-9]{0,17}$', description: 'Job id, from GET /v1/ops/dead-jobs' }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ id: Type.String(), task: Type.String(), attempts: Type.Integer(), lastError: Type.Union([Type.String(), Type.Null()]), updatedAt: Type.String() }), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { id } = request.params;
      const job = await inTransaction(ctx.pool, async (client) => {
        const retried = await retryDeadJob(client, id);
        if (!retried) throw new ApiError(404, 'job_not_dead', `no dead job ${id}: it is unknown, or waiting, running or done`, 'id');
        await recordAudit(client, { ...actorOf(request), action: 'job.retry', subjectKind: 'job', subjectId: id, details: { task: retried.task, lastError: retried.lastError } });
        return retried;
      });
      return { id: job.id, task: job.task, attempts: job.attempts, lastError: job.lastError, updatedAt: job.updatedAt.toISOString() };
    },
  );

  app.get(
    '/v1/ops/alerts',
    {
      onRequest: authenticate(ctx, { merchant: false, staffRoles: ['ops'] }),
      schema: {
        tags: ['operations'],
        summary: 'Operator alerts (payout reconciliation mismatches, …), unresolved first, newest first',
        security: bearerSecurity,
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            object: Type.Literal('list'),
            data: Type.Array(Type.Object({ id: Type.String(), kind: Type.String(), subject: Type.String(), at: Type.String(), resolvedAt: Type.Union([Type.String(), Type.Null()]), details: Type.Unknown() })),
          }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => {
      const { rows } = await ctx.pool.query<{ alert_id: string; kind: string; subject: string; at: Date; resolved_at: Date | null; details: unknown }>(
        'SELECT alert_id::text, kind, subject, at, resolved_at, details FROM operator_alerts ORDER BY resolved_at IS NOT NULL, at DESC, alert_id DESC LIMIT $1',
        [request.query.limit ?? 50],
      );
      return {
        object: 'list' as const,
        data: rows.map((r) => ({ id: r.alert_id, kind: r.kind, subject: r.subject, at: r.at.toISOString(), resolvedAt: r.resolved_at?.toISOString() ?? null, details: r.details })),
      };
    },
  );
};
