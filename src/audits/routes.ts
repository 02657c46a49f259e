/**
 * The audit desk (role reviewer, and ops): pending audits of paid claims, oldest drawn first; an
 * audit's decision (confirmed, or overpaid with what was due and why), in the audit log in the
 * decision's transaction; and the statistics the console shows.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { nullable } from '../http/schemas.ts';
import { actorOf, authenticate, bearerSecurity } from '../auth/index.ts';
import { ERROR_RESPONSES, type AppContext } from '../http/context.ts';
import { decodeTimeCursor, encodeTimeCursor } from '../http/cursor.ts';
import { listSchema, pageOf, pageQuery } from '../http/list.ts';
import { ApiError } from '../http/errors.ts';
import { OVERPAID_REASON_CODES } from './reasons.ts';
import { auditStatistics } from './statistics.ts';
import { auditCounts, AuditRefused, decideAudit, getAudit, listPendingAudits, type AuditDecision, type ClaimAudit } from './store.ts';

const Fen = Type.Integer({ minimum: 0 });

const ReasonCode = Type.Union(OVERPAID_REASON_CODES.map((c) => Type.Literal(c)), { description: 'Why the claim was overpaid; the merchant reads its words in their language' });

const AuditSchema = Type.Object({
  merchantId: Type.Integer(),
  claimId: Type.String({ format: 'uuid' }),
  payoutId: Type.String({ description: 'The payout that paid the claim' }),
  paidFen: Type.Integer({ minimum: 1 }),
  drawnBecause: Type.Union([Type.Literal('sample'), Type.Literal('amount'), Type.Literal('verification')], {
    description: "sample: drawn at random (the share); amount: paid at least the threshold, all audited; verification: the invoice's issuer contradicted the claim after payment",
  }),
  drawnAt: Type.String({ format: 'date-time' }),
  status: Type.Union([Type.Literal('pending'), Type.Literal('confirmed'), Type.Literal('overpaid')]),
  decidedAt: nullable(Type.String({ format: 'date-time' })),
  decidedBy: nullable(Type.String()),
  dueFen: nullable(Fen),
  reasonCode: nullable(ReasonCode),
  note: nullable(Type.String()),
  recoveredFromCreditFen: nullable(Fen),
  recoveredAsDebtFen: nullable(Fen),
});

const QueueItemSchema = Type.Object({
  audit: AuditSchema,
  merchantName: nullable(Type.String()),
  benefitFen: nullable(Fen),
  coveredFen: nullable(Fen),
  visitDate: nullable(Type.String({ format: 'date' })),
  hospitalId: nullable(Type.String()),
  invoiceCode: nullable(Type.String()),
  invoiceNumber: nullable(Type.String()),
});

const IntervalSchema = nullable(Type.Object({ low: Type.Number(), high: Type.Number() }));

const StatisticsSchema = Type.Object({
  errorRate: nullable(Type.Number({ description: 'Overpaid claims over decided audits of the random sample' })),
  errorRateInterval: Type.Union([IntervalSchema], { description: "Wilson score interval, 95 %" }),
  overpaidFoundFen: Fen,
  extrapolatedOverpaidFen: nullable(Type.Integer({ description: 'Overpaid money at stake in all paid machine-approved claims: the census as found, the sample scaled to the claims it stands for' })),
  extrapolatedInterval: nullable(Type.Object({ lowFen: Type.Integer(), highFen: Type.Integer() })),
  decidedSample: Type.Integer(),
  decidedCensus: Type.Integer(),
  pending: Type.Integer(),
  samplePopulation: Type.Integer({ description: 'Paid machine-approved claims the sample stands for' }),
});

const DecisionSchema = Type.Object(
  {
    outcome: Type.Union([Type.Literal('confirmed'), Type.Literal('overpaid')]),
    dueFen: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000, description: 'overpaid: what the claim should have paid, in fen (less than it paid)' })),
    reasonCode: Type.Optional(ReasonCode),
    note: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: "overpaid: the reviewer's words, shown to the merchant as written (required with reason other)" })),
  },
  { additionalProperties: false },
);

function auditJson(a: ClaimAudit) {
  return { ...a, drawnAt: a.drawnAt.toISOString(), decidedAt: a.decidedAt?.toISOString() ?? null };
}

/** The body as a decision: an overpayment names what was due and why. */
function decisionOf(body: Type.Static<typeof DecisionSchema>): AuditDecision {
  if (body.outcome === 'confirmed') {
    if (body.dueFen !== undefined || body.reasonCode !== undefined) throw new ApiError(400, 'unknown_field', 'a confirmed audit names no amount and no reason', body.dueFen !== undefined ? 'dueFen' : 'reasonCode');
    return { outcome: 'confirmed' };
  }
  if (body.dueFen === undefined) throw new ApiError(400, 'missing_field', 'an overpayment names what the claim should have paid (dueFen)', 'dueFen');
  if (body.reasonCode === undefined) throw new ApiError(400, 'missing_field', 'an overpayment names its reason (reasonCode)', 'reasonCode');
  if (body.reasonCode === 'other' && body.note === undefined) throw new ApiError(422, 'audit_note_required', 'reason "other" needs a note saying why: the merchant reads it', 'note');
  return { outcome: 'overpaid', dueFen: body.dueFen, reasonCode: body.reasonCode, note: body.note ?? null };
}

export const auditRoutes: FastifyPluginAsync<AppContext> = async (fastify, ctx) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const reviewers = authenticate(ctx, { merchant: false, staffRoles: ['reviewer', 'ops'] });

  app.get(
    '/v1/audits',
    {
      onRequest: reviewers,
      schema: {
        tags: ['audits'],
        summary: 'Paid claims drawn for audit and not yet decided, oldest drawn first',
        security: bearerSecurity,
        querystring: pageQuery(50, 100),
        response: { 200: listSchema(QueueItemSchema), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const rows = await listPendingAudits(ctx.pool, { after: decodeTimeCursor(request.query.cursor), limit: limit + 1 });
      const { page, ...more } = pageOf(rows, limit, (last) => encodeTimeCursor(last.drawnAt, last.claimId));
      return {
        object: 'list' as const,
        data: page.map(({ merchantName, benefitFen, coveredFen, visitDate, hospitalId, invoiceCode, invoiceNumber, ...audit }) => ({
          audit: auditJson(audit),
          merchantName,
          benefitFen,
          coveredFen,
          visitDate,
          hospitalId,
          invoiceCode,
          invoiceNumber,
        })),
        ...more,
      };
    },
  );

  app.get(
    '/v1/audits/statistics',
    {
      onRequest: reviewers,
      schema: {
        tags: ['audits'],
        summary: 'The audited error rate (Wilson 95 % interval), the overpayments found and the money at stake in all paid claims',
        security: bearerSecurity,
        response: { 200: StatisticsSchema, ...ERROR_RESPONSES },
      },
    },
    async () => auditStatistics(await auditCounts(ctx.pool)),
  );

  app.post(
    '/v1/audits/:claimId/decision',
    {
      onRequest: reviewers,
      schema: {
        tags: ['audits'],
        summary: "Decide an audit: confirmed, or overpaid (recovered from the merchant's credit, the rest as debt; the merchant is told why)",
        security: bearerSecurity,
        params: Type.Object({ claimId: Type.String({ format: 'uuid', description: 'The audited claim' }) }, { additionalProperties: false }),
        body: DecisionSchema,
        response: { 200: AuditSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const decision = decisionOf(request.body);
      const { claimId } = request.params;
      const found = await getAudit(ctx.pool, claimId);
      if (!found) throw new ApiError(404, 'audit_not_found', `claim ${claimId} was not drawn for audit`, 'claimId');
      const actor = actorOf(request);
      try {
        const decided = await decideAudit(ctx.pool, found, decision, { ...actor, now: ctx.now() });
        return auditJson(decided);
      } catch (err) {
        if (err instanceof AuditRefused) throw new ApiError(err.code === 'audit_already_decided' ? 409 : 422, err.code, err.message, err.code === 'audit_already_decided' ? 'claimId' : 'dueFen');
        throw err;
      }
    },
  );
};
