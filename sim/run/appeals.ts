/**
 * Appeals in the simulated world, through the product's own routes (docs/claims.md "Appeals"): a
 * share of the day's refused claims is contested by its merchant (drawn from the seed and the claim:
 * the same seed, the same appeals) with the invoice photographed again and a message, through
 * POST /v1/claims/:id/appeal; once its photo is read, a simulated reviewer, who knows what each claim
 * was (sim_claims.kind), decides it at the review desk: a legitimate claim is approved (if the rules
 * still refuse it, the approval is refused and the appeal rejected for that reason), a forged one
 * rejected. One claim at a time, in claim id order, each waited for: the outcomes depend on the seed
 * alone. A resumed day appeals what is not yet appealed and decides what waits.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { appealPhoto, appealsRefusal, renderPhoto, type ClaimKind, type PhotoSpec } from '../world/claims.ts';
import { checkStop, type SimContext } from './context.ts';

const SETTLE_POLL_MS = 50;

/** The review desk and the appeal route, served in-process to the simulation with keys of its own. */
export interface SimApi {
  app: FastifyInstance;
  opsKey: string;
  reviewerKey: string;
}

export function simApiKeys(): { opsKey: string; reviewerKey: string } {
  return { opsKey: `sim_ops_${randomBytes(16).toString('hex')}`, reviewerKey: `sim_reviewer_${randomBytes(16).toString('hex')}` };
}

async function waitWhile(ctx: SimContext, day: number, claimId: string, statuses: readonly string[]): Promise<void> {
  for (;;) {
    const { rows } = await ctx.pool.query<{ status: string }>('SELECT status FROM claims WHERE claim_id = $1', [claimId]);
    if (!statuses.includes(rows[0]!.status)) return;
    checkStop(ctx, day, 'appeals');
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
  }
}

async function appeal(ctx: SimContext, api: SimApi, claimId: string, spec: PhotoSpec): Promise<void> {
  const photo = await renderPhoto(appealPhoto(spec), ctx.hospitals);
  const form = new FormData();
  form.append('message', '票据是真实的门诊票据，请重新审核。The invoice is a real outpatient bill: please look again.');
  form.append('invoice', new Blob([photo.image], { type: photo.format === 'png' ? 'image/png' : 'image/jpeg' }), `appeal.${photo.format === 'png' ? 'png' : 'jpg'}`);
  const encoded = new Response(form);
  const res = await api.app.inject({
    method: 'POST',
    url: `/v1/claims/${claimId}/appeal`,
    headers: { authorization: `Bearer ${api.opsKey}`, 'content-type': encoded.headers.get('content-type')!, 'idempotency-key': `sim-appeal-${claimId}` },
    payload: Buffer.from(await encoded.arrayBuffer()),
  });
  if (res.statusCode !== 201) throw new Error(`the appeal of claim ${claimId} was refused: ${res.statusCode} ${res.body}`);
}

async function decide(api: SimApi, claimId: string, kind: ClaimKind): Promise<void> {
  const post = (body: Record<string, unknown>) =>
    api.app.inject({ method: 'POST', url: `/v1/review/claims/${claimId}/decision`, headers: { authorization: `Bearer ${api.reviewerKey}` }, payload: body });
  if (kind === 'legit') {
    const approved = await post({ action: 'approve', reasonCode: 'appeal_upheld', messageToMerchant: '复核后票据符合规则。On a second look the invoice meets the rules.' });
    if (approved.statusCode === 200) return;
    if (approved.statusCode !== 422) throw new Error(`approving the appeal of claim ${claimId}: ${approved.statusCode} ${approved.body}`);
    // the rules still refuse it (no credit on the visit day, a hospital not covered…): the refusal stands, for that reason
    const code = (approved.json() as { error: { code: string } }).error.code;
    const rejected = await post({ action: 'reject', reasonCode: code, messageToMerchant: '复核后按规则仍不能报销。On a second look the rules still refuse it.' });
    if (rejected.statusCode !== 200) throw new Error(`rejecting the appeal of claim ${claimId}: ${rejected.statusCode} ${rejected.body}`);
    return;
  }
  const rejected = await post({ action: 'reject', reasonCode: 'forged_invoice', messageToMerchant: '票据不符合报销规则，维持原审核结果。The invoice does not meet the rules: the refusal stands.' });
  if (rejected.statusCode !== 200) throw new Error(`rejecting the appeal of claim ${claimId}: ${rejected.statusCode} ${rejected.body}`);
}

/** Appeals the day's drawn refusals and decides every appeal waiting; returns how many were decided. */
export async function appealPhase(ctx: SimContext, api: SimApi, day: number): Promise<number> {
  const { rows: refused } = await ctx.pool.query<{ claim_id: string; spec: PhotoSpec }>(
    `SELECT s.claim_id::text, s.spec FROM sim_claims s JOIN claims c ON c.claim_id = s.claim_id
      WHERE s.day = $1 AND c.status = 'rejected' AND NOT EXISTS (SELECT 1 FROM claim_appeals a WHERE a.merchant_id = c.merchant_id AND a.claim_id = c.claim_id)
      ORDER BY s.claim_id`,
    [day],
  );
  const drawn = refused.filter((r) => appealsRefusal(ctx.world, r.claim_id));
  const bar = ctx.progress.phase(`day ${day + 1} appeals`, drawn.length, 'appeals');
  for (const r of drawn) {
    checkStop(ctx, day, 'appeals');
    await appeal(ctx, api, r.claim_id, r.spec);
  }
  const { rows: waiting } = await ctx.pool.query<{ claim_id: string; kind: ClaimKind }>(
    `SELECT s.claim_id::text, s.kind FROM sim_claims s JOIN claims c ON c.claim_id = s.claim_id WHERE c.status IN ('appealed', 'appeal_review') ORDER BY s.claim_id`,
  );
  for (const w of waiting) {
    // the new photo is read by the claim workers first
    await waitWhile(ctx, day, w.claim_id, ['appealed']);
    await decide(api, w.claim_id, w.kind);
    // an upheld appeal is paid by the workers before the next is decided
    await waitWhile(ctx, day, w.claim_id, ['approved']);
    bar.advance(1);
  }
  return bar.done().items;
}
