/**
 * The review desk (role reviewer, and ops): the queue with age and SLA, a claim's images, fields and
 * findings (GET /v1/claims/:id and its files), and the three actions, each in the audit log in the
 * same transaction as the change it records.
 */
import { getMerchant } from '../merchants/index.ts';
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { actorOf, authenticate, recordAudit, bearerSecurity } from '../auth/index.ts';
import { ERROR_RESPONSES, type AppContext } from '../http/context.ts';
import { decodeTimeCursor, encodeTimeCursor } from '../http/cursor.ts';
import { pageOf } from '../http/list.ts';
import { ApiError } from '../http/errors.ts';
import { databaseHospitalRegistry } from '../hospitals/index.ts';
import { changeCredit } from '../points/index.ts';
import type { HospitalRegistry } from '../recognition/index.ts';
import type { ReviewerCorrections } from './corrections.ts';
import { evaluateClaim, recognisedPages } from './evaluate.ts';
import { appealApprovedWords, appealRejectedEvent, appealToDecide, recordAppealDecision } from './appeal-decision.ts';
import { wholeClaimJson } from './claim-view.ts';
import { ApprovalRefused, approveClaim } from './pipeline.ts';
import { reviewApproval } from './review-approval.ts';
import { ClaimIdParams, ClaimSchema, ReviewDecisionSchema, claimJson } from './schema.ts';
import { getClaim, listClaims, queueContext, transitionClaim } from './store.ts';
import { present } from '../shared/assert.ts';

/** A claim in review should be decided within this time (the queue flags older ones). */
export const REVIEW_SLA_HOURS = 24;
// appeal_review: an appeal, decided by a reviewer other than the one who refused (appeal-decision.ts)
const REVIEWABLE = ['in_review', 'photo_requested', 'appeal_review'] as const;
/** Where an approval may be given: a photo asked for comes first (what it will show is not known yet). */
const APPROVABLE: readonly string[] = ['in_review', 'appeal_review'];

type ReviewDecision = Type.Static<typeof ReviewDecisionSchema>;

/** The reviewer's readings, the hospital resolved in the registry (an unknown id is refused by name). */
function correctionsOf(body: ReviewDecision, hospitals: HospitalRegistry): ReviewerCorrections {
  const hospital = body.hospitalId === undefined ? undefined : hospitals.byId(body.hospitalId);
  if (body.hospitalId !== undefined && !hospital) throw new ApiError(422, 'hospital_not_in_registry', `no hospital ${body.hospitalId} in the registry`, 'hospitalId');
  return {
    ...(body.invoiceCode === undefined ? {} : { invoiceCode: body.invoiceCode }),
    ...(body.invoiceNumber === undefined ? {} : { invoiceNumber: body.invoiceNumber }),
    ...(body.visitDate === undefined ? {} : { visitDate: body.visitDate }),
    ...(hospital === undefined ? {} : { hospital }),
    ...(body.coveredFen === undefined ? {} : { coveredFen: body.coveredFen }),
  };
}

export const reviewRoutes: FastifyPluginAsync<AppContext> = async (fastify, ctx) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const reviewers = authenticate(ctx, { merchant: false, staffRoles: ['reviewer', 'ops'] });
  // a reviewer's decision is judged against the registry as it stands now
  const registry = databaseHospitalRegistry(ctx.pool, { maxStaleMs: 0 });

  app.get(
    '/v1/review/claims',
    {
      onRequest: reviewers,
      schema: {
        tags: ['review'],
        summary: 'The review queue, oldest first',
        security: bearerSecurity,
        querystring: Type.Object(
          {
            status: Type.Optional(Type.Union(REVIEWABLE.map((s) => Type.Literal(s)))),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
            cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            object: Type.Literal('list'),
            slaHours: Type.Integer(),
            data: Type.Array(
              Type.Object({
                claim: ClaimSchema,
                ageSeconds: Type.Integer(),
                overdue: Type.Boolean(),
                merchantName: Type.Union([Type.String(), Type.Null()]),
                hospitalName: Type.Union([Type.String(), Type.Null()], { description: "The registry's name of the hospital read from the invoice" }),
                why: Type.Union([Type.Object({ zh: Type.String(), en: Type.String() }), Type.Null()], { description: 'What sent the claim to its present status, in both languages' }),
              }),
            ),
            hasMore: Type.Boolean(),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const rows = await listClaims(ctx.pool, { statuses: request.query.status ? [request.query.status] : REVIEWABLE, after: decodeTimeCursor(request.query.cursor), limit: limit + 1, oldestFirst: true });
      const { page, ...more } = pageOf(rows, limit, (last) => encodeTimeCursor(last.submittedAt, last.claimId));
      const context = await queueContext(ctx.pool, page);
      const hospitals = await registry.current();
      const nowMs = ctx.now().getTime();
      return {
        object: 'list' as const,
        slaHours: REVIEW_SLA_HOURS,
        data: page.map((claim) => {
          const ageSeconds = Math.max(0, Math.floor((nowMs - claim.submittedAt.getTime()) / 1000));
          const about = context.get(claim.claimId);
          return { claim: claimJson(claim, undefined, { hospitals }), ageSeconds, overdue: ageSeconds > REVIEW_SLA_HOURS * 3600, merchantName: about?.merchantName ?? null, hospitalName: about?.hospitalName ?? null, why: about?.why ?? null };
        }),
        ...more,
      };
    },
  );

  app.post(
    '/v1/review/claims/:id/decision',
    {
      onRequest: reviewers,
      schema: {
        tags: ['review'],
        summary: 'Approve (optionally a corrected amount, never above the rules), reject with a reason, or ask for a better photo',
        description:
          'A claim in appeal_review is an appeal: whoever refused the claim cannot decide it (403 appeal_same_reviewer), it is approved or rejected but no new photo is asked for (409 appeal_no_photo_request), and messageToMerchant is required (422 appeal_reason_required): the merchant is told the decision with it.',
        security: bearerSecurity,
        params: ClaimIdParams,
        body: ReviewDecisionSchema,
        response: { 200: ClaimSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { action, amountFen, reasonCode, note, messageToMerchant } = request.body;
      // the merchant's timeline carries the reason's code and the reviewer's message to the merchant;
      // the internal note and the reviewer's identity stay in the audit log
      const told = { reasonCode, ...(messageToMerchant === undefined ? {} : { messageToMerchant }) };
      const actor = actorOf(request);
      const claimId = request.params.id;
      const found = await getClaim(ctx.pool, claimId);
      if (!found) throw new ApiError(404, 'claim_not_found', `no claim ${claimId}`, 'id');
      await changeCredit(ctx.pool, async (change) => {
        const { client } = change;
        await change.lock([found.merchantId]);
        const claim = present(await getClaim(client, claimId, found.merchantId, { lock: true }), `the claim ${claimId}, found before the transaction`);
        if (!(REVIEWABLE as readonly string[]).includes(claim.status)) {
          throw new ApiError(409, 'claim_not_in_review', `the claim is ${claim.status}, not waiting for review`, 'id');
        }
        const decision = { actorId: actor.actorId, action, reasonCode, messageToMerchant };
        const appeal = claim.status === 'appeal_review' ? await appealToDecide(client, claim, decision) : null;
        const details = { action, reasonCode, amountFen: amountFen ?? null, note: note ?? null, messageToMerchant: messageToMerchant ?? null, from: claim.status, appeal: appeal !== null };
        if (action === 'approve') {
          if (!APPROVABLE.includes(claim.status)) throw new ApiError(409, 'claim_not_in_review', `the claim is ${claim.status}: a new photo was asked for and has not been read`, 'id');
          if (recognisedPages(claim).length === 0) throw new ApiError(422, 'nothing_read', 'no page of this claim could be read: ask for a new photo', 'id');
          const hospitals = await registry.current();
          const corrections = correctionsOf(request.body, hospitals);
          const merchant = present(await getMerchant(client, claim.merchantId), `merchant ${claim.merchantId}, who has the claim`);
          const evaluation = await evaluateClaim(client, { claim, merchantName: merchant.legalName, hospitals, now: ctx.now(), corrections });
          const verdict = reviewApproval(evaluation, corrections);
          if (!verdict.ok) throw new ApiError(verdict.status, verdict.code, verdict.message, verdict.field ?? 'id');
          const amount = amountFen ?? verdict.ceilingFen;
          if (amount > verdict.ceilingFen) throw new ApiError(422, 'amount_above_rules', `the rules allow at most ${verdict.ceilingFen} fen for this claim`, 'amountFen');
          const { invoiceCode, invoiceNumber, visitDate, hospitalId, coveredFen, findings, rulesetId } = evaluation;
          await approveClaim(change, claim, {
            benefitFen: amount,
            payeeUserId: merchant.walletUserId,
            decidedBy: actor.actorId,
            reasonCodes: [...claim.reasonCodes, reasonCode],
            findings,
            invoiceCode,
            invoiceNumber,
            visitDate,
            hospitalId,
            coveredFen,
            rulesetId,
          }, { details: { ...told, appeal: appeal !== null }, ...(appeal ? { said: appealApprovedWords(appeal.messageToMerchant) } : {}) }).catch((err: unknown) => {
            if (err instanceof ApprovalRefused) throw new ApiError(err.code.endsWith('_reimbursed') ? 409 : 422, err.code, err.message, 'id');
            throw err;
          });
        } else if (action === 'reject') {
          await transitionClaim(
            client,
            claim,
            'rejected',
            appeal ? appealRejectedEvent(appeal.messageToMerchant, told) : { code: 'rejected_by_reviewer', zh: '审核未通过。', en: 'Rejected by a reviewer.', details: told },
            { decision: 'reject', decidedBy: actor.actorId, reasonCodes: [...claim.reasonCodes, reasonCode] },
          );
        } else {
          await transitionClaim(client, claim, 'photo_requested', {
            code: 'photo_requested_by_reviewer',
            zh: '请重新拍摄票据：让票据占满画面、光线充足、对焦清晰。',
            en: 'Please photograph the invoice again: fill the frame, good light, in focus.',
            details: told,
          });
        }
        if (appeal) await recordAppealDecision(client, appeal, decision, ctx.now());
        await recordAudit(client, { ...actor, action: appeal ? `claim.appeal_${action}` : `claim.${action}`, subjectKind: 'claim', subjectId: claim.claimId, details });
      });
      const claim = present(await getClaim(ctx.pool, claimId), `the claim ${claimId}, just reviewed`);
      return wholeClaimJson(ctx.pool, claim, { hospitals: await registry.current() });
    },
  );
};
