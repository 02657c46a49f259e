import { createHash, randomUUID } from 'node:crypto';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type pg from 'pg';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { authenticate, type Principal, bearerSecurity, openEventStream } from '../auth/index.ts';
import { ERROR_RESPONSES, type AppContext } from '../http/context.ts';
import { decodeTimeCursor, encodeTimeCursor } from '../http/cursor.ts';
import { pageOf } from '../http/list.ts';
import { ApiError } from '../http/errors.ts';
import { hasStoredAnswer, runIdempotent } from '../http/idempotency.ts';
import { getMerchant } from '../merchants/index.ts';
import { creditContext } from '../points/index.ts';
import type { FileStore } from '../storage/index.ts';
import type { ClaimWatch } from './live.ts';
import { enqueueRecognition } from './pipeline.ts';
import { databaseHospitalRegistry } from '../hospitals/index.ts';
import { appealRoutes } from './appeal-routes.ts';
import { wholeClaimJson } from './claim-view.ts';
import { reviewRoutes } from './review-routes.ts';
import { verificationRoutes } from './verification-routes.ts';
import { audience, checkRecognitionRoom, storeFiles, visibleClaim } from './route-guards.ts';
import { ClaimFileParams, ClaimIdParams, ClaimListQuery, ClaimListSchema, ClaimSchema, claimJson } from './schema.ts';
import { MAX_FIELD_BYTES, MAX_FILE_BYTES, MAX_PARTS, readUpload } from './submission.ts';
import { getAppeal } from './appeal-store.ts';
import { claimTimeline, getClaim, insertClaim, listClaims, replaceClaimFiles, transitionClaim, type ClaimStatus } from './store.ts';
import { inTransaction } from '../db/transaction.ts';
import { present } from '../shared/assert.ts';

export interface ClaimsRouteOptions extends AppContext {
  files: FileStore;
  watch: ClaimWatch;
}

const TERMINAL: readonly ClaimStatus[] = ['paid', 'rejected'];

export { MAX_WAITING_CLAIMS, MAX_WAITING_CLAIMS_PER_MERCHANT, WAITING_RETRY_AFTER_SECONDS } from './route-guards.ts';

/** The merchant a request acts for: its own session's, or (staff) the one named. */
function actingMerchant(principal: Principal, named: string | undefined): number {
  if (principal.kind === 'merchant') return principal.merchantId;
  if (named === undefined || !/^[1-9][0-9]{0,14}$/.test(named)) throw new ApiError(400, 'merchant_id_required', 'staff submit claims on behalf of a merchant: give the form field merchantId', 'merchantId');
  return Number(named);
}

function notWaitingForPhoto(status: ClaimStatus): ApiError {
  return new ApiError(409, 'claim_not_waiting_for_photo', `the claim is ${status}; new photos are taken only when asked for`, 'id');
}

async function checkCredit(db: Pick<pg.Pool, 'query'> | pg.PoolClient, merchantId: number): Promise<void> {
  const credit = await creditContext(db, merchantId, null);
  if (credit.availableNowFen <= 0) {
    throw new ApiError(422, 'no_credit', 'there is no credit to spend: collect the credit your customers earned you first (it shows as waiting to be collected)');
  }
}

/**
 * Whether `merchantId` may submit a claim now, asked before the upload is read: it exists, has credit,
 * and has room in the recognition queue. The retry of a claim already made (its Idempotency-Key holds
 * an answer; its spending may have emptied the credit, its reading fill the queue) is asked only the
 * merchant's existence: its stored answer is replayed.
 */
async function checkSubmission(ctx: ClaimsRouteOptions, merchantId: number, isRetry: boolean): Promise<void> {
  if (!(await getMerchant(ctx.pool, merchantId))) throw new ApiError(404, 'merchant_not_found', `no merchant ${merchantId}`, 'merchantId');
  if (isRetry) return;
  await checkCredit(ctx.pool, merchantId);
  await checkRecognitionRoom(ctx.pool, merchantId, { lock: false });
}

export const claimRoutes: FastifyPluginAsync<ClaimsRouteOptions> = async (fastify, ctx) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  await app.register(multipart, { limits: { fileSize: MAX_FILE_BYTES, files: MAX_PARTS, parts: MAX_PARTS + 4, fields: 4, fieldSize: MAX_FIELD_BYTES } });
  const merchantOrStaff = authenticate(ctx, { merchant: true, staffRoles: ['ops', 'reviewer'] });
  const registry = databaseHospitalRegistry(ctx.pool);
  /** The audience's view, hospitals named from the registry (a few seconds stale at most: names rarely change). */
  const shownTo = async (request: FastifyRequest) => ({ ...audience(request), hospitals: await registry.current() });

  app.post(
    '/v1/claims',
    {
      onRequest: authenticate(ctx, { merchant: true, staffRoles: ['ops'] }),
      schema: {
        tags: ['claims'],
        summary: 'Submit a claim',
        description:
          'multipart/form-data: `invoice` = 1–6 photos of the invoice (JPEG, PNG, WebP) or one PDF e-bill, `record` = an optional outpatient-record photo; staff add the field `merchantId`. Accepts an Idempotency-Key header. The claim row and its first pipeline job are written in one transaction; follow it with GET /v1/claims/{id}/events.',
        security: bearerSecurity,
        consumes: ['multipart/form-data'],
        response: { 201: ClaimSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      if (!request.isMultipart()) throw new ApiError(415, 'unsupported_media_type', 'send the claim as multipart/form-data');
      const principal = request.principal!;
      // a merchant's own submission is refused before its body is read: no upload is held for a refusal
      const retryOf = (merchantId: number) => hasStoredAnswer(ctx.pool, request, `merchant:${merchantId}`);
      if (principal.kind === 'merchant') await checkSubmission(ctx, principal.merchantId, await retryOf(principal.merchantId));
      const upload = await readUpload(request.parts());
      const merchantId = actingMerchant(principal, upload.fields.merchantId);
      if (principal.kind !== 'merchant') await checkSubmission(ctx, merchantId, await retryOf(merchantId));
      const stored = await storeFiles(ctx.files, upload);
      const digest = createHash('sha256').update(JSON.stringify({ merchantId, files: stored.map((f) => [f.role, f.sha256]) })).digest('hex');
      const outcome = await runIdempotent(
        ctx.pool,
        request,
        async (client) => {
          // checked here, after the stored answer was looked up: a retry of a claim that spent the
          // credit replays its answer instead of being refused for the spending it caused
          await checkCredit(client, merchantId);
          await checkRecognitionRoom(client, merchantId, { lock: true });
          const claim = { merchantId, claimId: randomUUID(), files: stored, submittedAt: ctx.now() };
          await insertClaim(client, claim);
          await transitionClaim(client, claim, 'submitted', { code: 'submitted', zh: '已收到报销申请。', en: 'Your claim was received.', details: { files: stored.length } });
          await enqueueRecognition(client, claim);
          const row = present(await getClaim(client, claim.claimId, merchantId), `the claim ${claim.claimId} just inserted`);
          return { statusCode: 201, body: claimJson(row, await claimTimeline(client, merchantId, claim.claimId), audience(request)) };
        },
        { client: `merchant:${merchantId}`, requestDigest: digest },
      );
      if (outcome.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(outcome.statusCode).send(outcome.body);
    },
  );

  app.post(
    '/v1/claims/:id/photos',
    {
      onRequest: authenticate(ctx, { merchant: true, staffRoles: ['ops'] }),
      schema: {
        tags: ['claims'],
        summary: 'Answer a request for a better photo',
        description: 'multipart/form-data with new `invoice` pages (and optionally `record`), for a claim in photo_requested: they replace the earlier files and the claim is read again.',
        security: bearerSecurity,
        consumes: ['multipart/form-data'],
        params: ClaimIdParams,
        response: { 200: ClaimSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      if (!request.isMultipart()) throw new ApiError(415, 'unsupported_media_type', 'send the photos as multipart/form-data');
      const found = await visibleClaim(ctx.pool, request, request.params.id);
      // refused before the body is read: photos for a claim that is not asking for them are never stored
      if (found.status !== 'photo_requested') throw notWaitingForPhoto(found.status);
      await checkRecognitionRoom(ctx.pool, found.merchantId, { lock: false });
      const upload = await readUpload(request.parts());
      const stored = await storeFiles(ctx.files, upload);
      await inTransaction(ctx.pool, async (client) => {
        await checkRecognitionRoom(client, found.merchantId, { lock: true });
        const claim = present(await getClaim(client, found.claimId, found.merchantId, { lock: true }), `the claim ${found.claimId}, found before the transaction`);
        if (claim.status !== 'photo_requested') throw notWaitingForPhoto(claim.status);
        await replaceClaimFiles(client, claim, stored);
        await transitionClaim(client, claim, 'submitted', { code: 'photo_resubmitted', zh: '已收到新照片，正在重新识别。', en: 'New photos received; reading them again.', details: { files: stored.length } }, { recognition: null, phash: null });
        await enqueueRecognition(client, claim);
      });
      const claim = present(await getClaim(ctx.pool, found.claimId, found.merchantId), `the claim ${found.claimId}, given a new photo`);
      return wholeClaimJson(ctx.pool, claim, await shownTo(request));
    },
  );

  app.get(
    '/v1/claims/:id',
    { onRequest: merchantOrStaff, schema: { tags: ['claims'], summary: 'A claim with its timeline', security: bearerSecurity, params: ClaimIdParams, response: { 200: ClaimSchema, ...ERROR_RESPONSES } } },
    async (request) => {
      const claim = await visibleClaim(ctx.pool, request, request.params.id);
      return wholeClaimJson(ctx.pool, claim, await shownTo(request));
    },
  );

  app.get(
    '/v1/claims',
    {
      onRequest: merchantOrStaff,
      schema: { tags: ['claims'], summary: 'Claims, newest first (a merchant sees its own)', description: 'Cursor pagination: pass nextCursor back as cursor.', security: bearerSecurity, querystring: ClaimListQuery, response: { 200: ClaimListSchema, ...ERROR_RESPONSES } },
    },
    async (request) => {
      const principal = request.principal!;
      const merchantId = principal.kind === 'merchant' ? principal.merchantId : request.query.merchantId === undefined ? undefined : Number(request.query.merchantId);
      const limit = request.query.limit ?? 20;
      const before = decodeTimeCursor(request.query.cursor);
      const rows = await listClaims(ctx.pool, { merchantId, statuses: request.query.status ? [request.query.status] : undefined, after: before, limit: limit + 1 });
      const { page, ...more } = pageOf(rows, limit, (last) => encodeTimeCursor(last.submittedAt, last.claimId));
      const shown = await shownTo(request);
      return { object: 'list' as const, data: page.map((c) => claimJson(c, undefined, shown)), ...more };
    },
  );

  app.get(
    '/v1/claims/:id/files/:sha256',
    { onRequest: merchantOrStaff, schema: { tags: ['claims'], summary: "One of a claim's files (photo or PDF)", security: bearerSecurity, params: ClaimFileParams } },
    async (request, reply) => {
      const claim = await visibleClaim(ctx.pool, request, request.params.id);
      // the claim's files, and those it had when refused (an appeal's photos replaced them)
      const previous = (await getAppeal(ctx.pool, claim.merchantId, claim.claimId))?.previousFiles ?? [];
      const file = [...claim.files, ...previous].find((f) => f.sha256 === request.params.sha256);
      const bytes = file ? await ctx.files.get(file.sha256) : null;
      if (!file || !bytes) throw new ApiError(404, 'file_not_found', 'this claim has no such file', 'sha256');
      // served from the app's origin: never run as a page (a sandbox with nothing allowed), a PDF saved rather than opened here
      const extension = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'application/pdf': 'pdf' }[file.mediaType];
      return reply
        .type(file.mediaType)
        .header('cache-control', 'private, max-age=86400, immutable')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('content-disposition', `${file.mediaType === 'application/pdf' ? 'attachment' : 'inline'}; filename="${file.sha256.slice(0, 16)}.${extension}"`)
        .send(bytes);
    },
  );

  app.get(
    '/v1/claims/:id/events',
    {
      onRequest: merchantOrStaff,
      schema: {
        tags: ['claims'],
        summary: "Live status of a claim (Server-Sent Events)",
        description: 'text/event-stream: an event `status` with the claim (and its timeline) now and after every change; the stream ends after paid or rejected.',
        security: bearerSecurity,
        params: ClaimIdParams,
      },
    },
    async (request, reply) => {
      const first = await visibleClaim(ctx.pool, request, request.params.id);
      const stream = openEventStream(ctx, request, reply);
      const send = async () => {
        const claim = await getClaim(ctx.pool, first.claimId, first.merchantId);
        if (!claim || stream.ended) return;
        stream.send('status', await wholeClaimJson(ctx.pool, claim, await shownTo(request)));
        if (TERMINAL.includes(claim.status)) stream.end();
      };
      try {
        stream.onEnd(await ctx.watch.watch(first.claimId, () => void send().catch(stream.end)));
        await send();
      } catch {
        stream.end();
      }
    },
  );

  await app.register(reviewRoutes, ctx);
  await app.register(appealRoutes, ctx);
  await app.register(verificationRoutes, ctx);
};
