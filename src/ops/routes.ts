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
import { decodeTimeCursor, encodeTimeCursor } from '../http/cursor.ts';
import { ApiError } from '../http/errors.ts';
import { listQuery, listSchema, pageOf } from '../http/list.ts';
import { isoMicros } from '../db/time-key.ts';
import { deadJobs, retryDeadJob } from '../jobs/index.ts';

const JOB_ID = /^[1-9][0-9]{0,17}$/;
/** An alert's place in the order: open (o) or resolved (r), then its id. */
const ALERT_KEY = /^[or]-[1-9][0-9]{0,17}$/;

export const opsRoutes: FastifyPluginAsync<AppContext> = async (fastify, ctx) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/v1/ops/dead-jobs',
    {
      onRequest: authenticate(ctx, { merchant: false, staffRoles: ['ops'] }),
      schema: {
        tags: ['operations'],
        summary: 'Jobs that used every retry, most recently failed first: the dead-letter list (POST /v1/ops/jobs/:id/retry runs one again)',
        security: bearerSecurity,
        querystring: Type.Object(listQuery(50), { additionalProperties: false }),
        response: { 200: listSchema(Type.Unknown()), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const jobs = await deadJobs(ctx.pool, { limit: limit + 1, after: decodeTimeCursor(request.query.cursor, JOB_ID) });
      const { page, ...more } = pageOf(jobs, limit, (last) => encodeTimeCursor(last.updatedAtKey, last.id));
      return { object: 'list' as const, data: page.map(({ updatedAtKey: _key, ...j }) => ({ ...j, updatedAt: j.updatedAt.toISOString() })), ...more };
    },
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
        querystring: Type.Object(listQuery(50), { additionalProperties: false }),
        response: {
          200: listSchema(Type.Object({ id: Type.String(), kind: Type.String(), subject: Type.String(), at: Type.String(), resolvedAt: Type.Union([Type.String(), Type.Null()]), details: Type.Unknown() })),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      // the cursor's id is the alert's, after whether it was resolved: the order's first key
      const after = decodeTimeCursor(request.query.cursor, ALERT_KEY);
      const [resolved, id] = after ? after.id.split('-') : [null, null];
      const { rows } = await ctx.pool.query<{ alert_id: string; kind: string; subject: string; at: Date; resolved_at: Date | null; details: unknown; key_at: string }>(
        `SELECT alert_id::text, kind, subject, at, resolved_at, details, ${isoMicros('at')} AS key_at FROM operator_alerts
          WHERE $2::boolean IS NULL OR (resolved_at IS NOT NULL) > $2 OR ((resolved_at IS NOT NULL) = $2 AND (at, alert_id) < ($3, $4::bigint))
          ORDER BY resolved_at IS NOT NULL, at DESC, alert_id DESC LIMIT $1`,
        [limit + 1, resolved === null ? null : resolved === 'r', after?.at ?? null, id],
      );
      const { page, ...more } = pageOf(rows, limit, (last) => encodeTimeCursor(last.key_at, `${last.resolved_at ? 'r' : 'o'}-${last.alert_id}`));
      return {
        object: 'list' as const,
        data: page.map((r) => ({ id: r.alert_id, kind: r.kind, subject: r.subject, at: r.at.toISOString(), resolvedAt: r.resolved_at?.toISOString() ?? null, details: r.details })),
        ...more,
      };
    },
  );
};
