/**
 * A merchant's appeal of a refused claim (issue 27, part 3): once, within the window, with a message
 * and new photos (the submission's limits and file store). The photos replace the claim's files (the
 * refused ones are kept with the appeal), are read like a resubmission's, and the claim waits in the
 * review queue as an appeal for a reviewer other than the one who refused (review-routes.ts).
 */
import { createHash } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { authenticate, bearerSecurity } from '../auth/index.ts';
import { ERROR_RESPONSES } from '../http/context.ts';
import { ApiError } from '../http/errors.ts';
import { hasStoredAnswer, runIdempotent } from '../http/idempotency.ts';
import { present } from '../shared/assert.ts';
import { APPEAL_WINDOW_DAYS, appealRefusal } from './appeal-rules.ts';
import { getAppeal, insertAppeal } from './appeal-store.ts';
import { wholeClaimJson } from './claim-view.ts';
import { enqueueRecognition } from './pipeline.ts';
import { audience, checkRecognitionRoom, storeFiles, visibleClaim } from './route-guards.ts';
import type { ClaimsRouteOptions } from './routes.ts';
import { ClaimIdParams, ClaimSchema } from './schema.ts';
import { MAX_INVOICE_PAGES, readUpload } from './submission.ts';
import { getClaim, replaceClaimFiles, transitionClaim, type Claim } from './store.ts';

function refuseUnlessAppealable(claim: Claim, appealed: boolean, now: Date): void {
  const refusal = appealRefusal(claim, appealed, now);
  if (refusal) throw new ApiError(refusal.status, refusal.code, refusal.message, refusal.field);
}

function messageOf(fields: Record<string, string>): string {
  const message = fields.message?.trim() ?? '';
  if (message === '') throw new ApiError(400, 'appeal_message_required', 'say why the refusal is wrong in the field "message" (1–500 characters)', 'message');
  return message;
}

export const appealRoutes: FastifyPluginAsync<ClaimsRouteOptions> = async (fastify, ctx) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/v1/claims/:id/appeal',
    {
      onRequest: authenticate(ctx, { merchant: true, staffRoles: ['ops'] }),
      schema: {
        tags: ['claims'],
        summary: 'Appeal a refused claim (once)',
        description:
          `multipart/form-data: \`message\` (1–500 characters: why the refusal is wrong) and new \`invoice\` pages (1–${MAX_INVOICE_PAGES} photos or one PDF e-bill; optionally \`record\`), within ${APPEAL_WINDOW_DAYS} days of the refusal (the claim's \`appealUntil\`). ` +
          'Accepts an Idempotency-Key header. The photos replace the claim\'s files (the refused ones stay listed in `appeal.previousFiles`), are read, and the claim goes to the review queue as `appeal_review`, for a reviewer other than the one who refused. ' +
          'Refused with 409 claim_not_rejected, 409 already_appealed, 422 appeal_too_late.',
        security: bearerSecurity,
        consumes: ['multipart/form-data'],
        params: ClaimIdParams,
        response: { 201: ClaimSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      if (!request.isMultipart()) throw new ApiError(415, 'unsupported_media_type', 'send the appeal as multipart/form-data');
      const found = await visibleClaim(ctx.pool, request, request.params.id);
      const client = `merchant:${found.merchantId}`;
      // refused before the body is read (no upload held for a refusal), unless this is the retry of
      // an appeal made: its stored answer is replayed, though the claim has moved on
      if (!(await hasStoredAnswer(ctx.pool, request, client))) {
        refuseUnlessAppealable(found, (await getAppeal(ctx.pool, found.merchantId, found.claimId)) !== null, ctx.now());
        await checkRecognitionRoom(ctx.pool, found.merchantId, { lock: false });
      }
      const upload = await readUpload(request.parts());
      const message = messageOf(upload.fields);
      const stored = await storeFiles(ctx.files, upload);
      const requestDigest = createHash('sha256').update(JSON.stringify({ claimId: found.claimId, message, files: stored.map((f) => [f.role, f.sha256]) })).digest('hex');
      const outcome = await runIdempotent(
        ctx.pool,
        request,
        async (db) => {
          await checkRecognitionRoom(db, found.merchantId, { lock: true });
          const claim = present(await getClaim(db, found.claimId, found.merchantId, { lock: true }), `the claim ${found.claimId}, found before the transaction`);
          refuseUnlessAppealable(claim, (await getAppeal(db, claim.merchantId, claim.claimId)) !== null, ctx.now());
          const refusedBy = present(claim.decidedBy, `who refused claim ${claim.claimId}`);
          await insertAppeal(db, { merchantId: claim.merchantId, claimId: claim.claimId, appealedAt: ctx.now(), message, refusedBy, refusedReasonCodes: claim.reasonCodes, previousFiles: claim.files });
          await replaceClaimFiles(db, claim, stored);
          await transitionClaim(
            db,
            claim,
            'appealed',
            { code: 'appealed', zh: '已收到您的申诉，正在识别新照片，随后由另一位审核员复核。', en: 'Your appeal was received: its photos are being read, then another reviewer will decide it.', details: { files: stored.length, message } },
            { recognition: null, phash: null },
          );
          await enqueueRecognition(db, claim);
          const appealed = present(await getClaim(db, claim.claimId, claim.merchantId), `the claim ${claim.claimId}, just appealed`);
          return { statusCode: 201, body: await wholeClaimJson(db, appealed, audience(request)) };
        },
        { client, requestDigest },
      );
      if (outcome.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(outcome.statusCode).send(outcome.body);
    },
  );
};
