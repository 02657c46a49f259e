/**
 * The claims of a simulated day through the real pipeline: the photo is rendered, stored and the
 * claim inserted with its first job in one transaction (as POST /v1/claims does, but at the simulated
 * hour), then the graphile-worker tasks recognise, decide, reserve and pay it to the sandbox wallet.
 * The day ends when no claim is still on its way.
 */
import { createHash } from 'node:crypto';
import { enqueueRecognition } from '../../src/claims/pipeline.ts';
import { insertClaim, transitionClaim } from '../../src/claims/store.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import { businessDay, businessDayStart } from '../../src/shared/business-day.ts';
import { issueBill, claimsOn, forgedKind, forgedPhoto, legitPhoto, renderPhoto, truthTotalFen, type ClaimKind, type PhotoSpec } from '../world/claims.ts';
import type { GeneratedInvoice } from '../invoices/generate.ts';
import { mix, TOPIC } from '../world/hash.ts';
import { merchantWallet, type SimMerchant } from '../world/population.ts';
import { dayOf } from '../world/world.ts';
import { checkStop, type SimContext } from './context.ts';

const CLAIM_HOUR = 22;
const SETTLE_POLL_MS = 50;
const IN_FLIGHT = ['submitted', 'recognized', 'approved'];

export interface Claimant {
  merchantId: number;
  merchant: SimMerchant;
  firstCollectedDay: string;
}

/** A claim id that a resumed run finds again: a UUID (version 4 layout) from the world, day and merchant. */
export function claimIdOf(seed: number, day: number, merchantIndex: number): string {
  const h = createHash('sha256').update(`claim:${seed}:${day}:${merchantIndex}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The day's claimants: drawn among enrolled merchants, of whom those holding credit claim. */
async function claimants(ctx: SimContext, day: number, enrolled: readonly SimMerchant[]): Promise<Claimant[]> {
  const drawn = enrolled.filter((m) => claimsOn(ctx.world, m.index, day));
  if (drawn.length === 0) return [];
  const { rows } = await ctx.pool.query<{ merchant_id: number; wallet_user_id: string; first_collected: Date }>(
    `SELECT m.merchant_id, m.wallet_user_id, (SELECT min(collected_at) FROM credit_lots l WHERE l.merchant_id = m.merchant_id) AS first_collected
       FROM merchant_wallets m JOIN ledger_accounts a ON a.merchant_id = m.merchant_id AND a.kind = 'merchant_available'
      WHERE m.wallet_user_id = ANY($1::text[]) AND a.credits_posted - a.debits_posted - a.debits_pending > 0`,
    [drawn.map((m) => m.walletUserId)],
  );
  const byWallet = new Map(rows.map((r) => [r.wallet_user_id, r]));
  return drawn.flatMap((m) => {
    const row = byWallet.get(merchantWallet(m.index));
    return row?.first_collected ? [{ merchantId: row.merchant_id, merchant: m, firstCollectedDay: businessDay(row.first_collected) }] : [];
  });
}

/** An earlier legitimate claim's photo, for a duplicate to copy. */
async function earlierPhoto(ctx: SimContext, day: number, merchantIndex: number): Promise<PhotoSpec | null> {
  const { rows } = await ctx.pool.query<{ spec: PhotoSpec }>("SELECT spec FROM sim_claims WHERE kind = 'legit' AND day < $1 ORDER BY day, claim_id", [day]);
  return rows.length ? rows[mix(ctx.world.seed, TOPIC.forged, merchantIndex, day) % rows.length]!.spec : null;
}

async function photoFor(ctx: SimContext, day: number, c: Claimant): Promise<{ kind: ClaimKind; spec: PhotoSpec }> {
  const claimDay = dayOf(ctx.world, day);
  const forged = forgedKind(ctx.world, c.merchant.index, day);
  const own = legitPhoto(ctx.world, ctx.hospitals, c.merchant, claimDay, c.firstCollectedDay);
  if (!forged) return { kind: 'legit', spec: own };
  const base = { ...own, covered: true };
  const earlier = forged === 'duplicate' || forged === 'rephotographed' ? await earlierPhoto(ctx, day, c.merchant.index) : null;
  // with no earlier invoice to copy, a would-be duplicate tampers with the total instead
  const kind = (forged === 'duplicate' || forged === 'rephotographed') && !earlier ? 'tampered_total' : forged;
  return { kind, spec: forgedPhoto(kind, base, earlier, truthTotalFen(base, ctx.hospitals)) };
}

export interface PreparedClaim {
  kind: ClaimKind;
  spec: PhotoSpec;
  photo: GeneratedInvoice;
}

async function prepare(ctx: SimContext, day: number, c: Claimant): Promise<PreparedClaim> {
  const { kind, spec } = await photoFor(ctx, day, c);
  return { kind, spec, photo: await renderPhoto(spec, ctx.hospitals) };
}

export async function submit(ctx: SimContext, day: number, c: Claimant, claimId: string, submittedAt: Date, prepared: PreparedClaim): Promise<void> {
  const { kind, spec, photo } = prepared;
  const sha256 = await ctx.files.put(photo.image);
  // the hospital issued the bill before anyone photographed it (a forged copy shows an issued bill)
  if (ctx.verifier) issueBill(ctx.verifier, spec, ctx.hospitals);
  const files = [{ sha256, mediaType: photo.format === 'png' ? ('image/png' as const) : ('image/jpeg' as const), sizeBytes: photo.image.length, role: 'invoice' as const }];
  await inTransaction(ctx.pool, async (client) => {
    const claim = { merchantId: c.merchantId, claimId, files, submittedAt };
    await insertClaim(client, claim);
    await transitionClaim(client, claim, 'submitted', { code: 'submitted', zh: '已收到报销申请。', en: 'Your claim was received.', details: { files: 1 } });
    await enqueueRecognition(client, claim);
    await client.query('INSERT INTO sim_claims (claim_id, merchant_id, day, kind, spec) VALUES ($1, $2, $3, $4, $5)', [claimId, c.merchantId, day, kind, JSON.stringify(spec)]);
  });
}

async function inFlight(ctx: SimContext, claimIds: readonly string[]): Promise<number> {
  const { rows } = await ctx.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM claims WHERE claim_id = ANY($1::uuid[]) AND status = ANY($2::text[])', [claimIds, IN_FLIGHT]);
  return rows[0]!.n;
}

export async function claimsPhase(ctx: SimContext, day: number, enrolled: readonly SimMerchant[]): Promise<number> {
  const todays = await claimants(ctx, day, enrolled);
  const bar = ctx.progress.phase(`day ${day + 1} claims`, todays.length, 'claims');
  const evening = businessDayStart(dayOf(ctx.world, day)).getTime() + CLAIM_HOUR * 3_600_000;
  const ids = todays.map((c) => claimIdOf(ctx.world.seed, day, c.merchant.index));
  const { rows } = await ctx.pool.query<{ claim_id: string }>('SELECT claim_id FROM sim_claims WHERE claim_id = ANY($1::uuid[])', [ids]);
  const submitted = new Set(rows.map((r) => r.claim_id));
  // the workers decide at the simulated hour, after the last of the day's submissions
  ctx.clock.now = new Date(evening + (todays.length + 600) * 1_000);
  let settled = 0;
  /** Waits until at most `open` of the claims sent so far are still on their way (settled: paid, rejected, in review, photo asked). */
  const settle = async (sent: readonly string[], open: number) => {
    for (;;) {
      const still = await inFlight(ctx, sent);
      bar.advance(sent.length - still - settled);
      settled = sent.length - still;
      if (still <= open) return;
      checkStop(ctx, day, 'claims');
      await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
    }
  };
  const prepareAt = (i: number) => (i < todays.length && !submitted.has(ids[i]!) ? prepare(ctx, day, todays[i]!) : Promise.resolve(null));
  let next = prepareAt(0);
  for (const [i, c] of todays.entries()) {
    checkStop(ctx, day, 'claims');
    const prepared = await next;
    // the next photo renders while this claim goes through the pipeline
    next = prepareAt(i + 1);
    if (prepared) await submit(ctx, day, c, ids[i]!, new Date(evening + i * 1_000), prepared);
    // one claim at a time: a claim's checks (near-duplicate photos, one invoice once) see every earlier
    // claim decided, so the same seed gives the same outcomes; the time to money is the pipeline's, not a queue's
    await settle(ids.slice(0, i + 1), 0);
  }
  return bar.done().items;
}
