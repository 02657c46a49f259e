/**
 * The demo city's claims: a small cast, one merchant each, whose photos (the simulator's generator)
 * go through the real pipeline today, one at a time, so that the console and the app show every
 * state a claim rests in: paid (张伟's, leaving him credit for his next), a payout the wallet refused (back in review), rejected (a
 * hospital the programme does not cover), in review (a tampered total), two photos asked again (too
 * dark, shaken) and two just submitted, which the server's own workers read after it starts.
 * Recognising a photo costs one to three seconds of both cores: four are read here.
 */
import type pg from 'pg';
import { addDays, businessDay } from '../shared/business-day.ts';
import type { FileStore } from '../storage/index.ts';
import { claimIdOf, submit, type Claimant, type PreparedClaim } from '../../sim/run/claims.ts';
import type { SimContext } from '../../sim/run/context.ts';
import { silentProgress } from '../../sim/run/progress.ts';
import { forgedPhoto, legitPhoto, renderPhoto, truthTotalFen, type CityHospitals, type ClaimKind, type PhotoSpec } from '../../sim/world/claims.ts';
import { merchantAt, merchantIndexOfWallet, type SimMerchant } from '../../sim/world/population.ts';
import type { World } from '../../sim/world/world.ts';
import { startClaimWorkers } from '../claims/index.ts';
import { walletGatewayFor } from './wallet.ts';

type Role = 'paid' | 'payout_refused' | 'uncovered' | 'tampered_total' | 'dark_photo' | 'shaken_photo' | 'waiting';
/** 张伟 first; the rest to the city's merchants holding credit, in merchant order. */
const CAST: readonly Role[] = ['paid', 'payout_refused', 'uncovered', 'tampered_total', 'dark_photo', 'shaken_photo', 'waiting', 'waiting'];
const IN_FLIGHT = ['submitted', 'recognized', 'approved'];
const SETTLE_POLL_MS = 50;
/** A claim still on its way after this is left to the server's workers: seeding never holds the start for long. */
const SETTLE_TIMEOUT_MS = 60_000;
const MINUTE_MS = 60_000;

function specFor(role: Role, world: World, hospitals: CityHospitals, c: Claimant, today: string): { kind: ClaimKind; spec: PhotoSpec } {
  const own = (covered: boolean) => ({ ...legitPhoto(world, hospitals, c.merchant, today, c.firstCollectedDay, { covered }), variant: 'clean' as const });
  switch (role) {
    case 'paid': {
      // 张伟's: a visit the day after his first collection, paid from the credit he held then; what he
      // collected since stays, so that the claim a newcomer sends as him is paid too
      const visit = addDays(c.firstCollectedDay, 1);
      return { kind: 'legit', spec: { ...legitPhoto(world, hospitals, c.merchant, visit, visit, { covered: true }), variant: 'clean' } };
    }
    case 'uncovered':
      return { kind: 'legit', spec: own(false) };
    case 'tampered_total':
      return { kind: role, spec: forgedPhoto(role, own(true), null, truthTotalFen(own(true), hospitals)) };
    // judged before any model runs: these cost no OCR
    case 'dark_photo':
      return { kind: 'legit', spec: { ...own(true), variant: 'dark' } };
    case 'shaken_photo':
      return { kind: 'legit', spec: { ...own(true), variant: 'shaken' } };
    default:
      return { kind: 'legit', spec: own(true) };
  }
}

/**
 * The cast's merchants: 张伟, then merchants who collected credit during the week (a claim needs some
 * to spend; nothing in the simulated week spends it), with the day they first collected. Collected,
 * not still holding: a resumed start finds the same cast after the first claims spent theirs.
 */
async function claimants(pool: pg.Pool, world: World, demo: SimMerchant): Promise<Claimant[]> {
  const { rows } = await pool.query<{ merchant_id: number; wallet_user_id: string; legal_name: string; first_collected: Date }>(
    `SELECT m.merchant_id, m.wallet_user_id, m.legal_name, c.first_collected
       FROM merchants m JOIN (SELECT merchant_id, min(collected_at) AS first_collected FROM credit_lots WHERE collected_at IS NOT NULL GROUP BY merchant_id) c USING (merchant_id)
      ORDER BY m.wallet_user_id <> $1, m.merchant_id
      LIMIT $2`,
    [demo.walletUserId, CAST.length],
  );
  if (rows[0]?.wallet_user_id !== demo.walletUserId || rows.length < CAST.length) throw new Error(`the demo city has ${rows.length} merchants who collected credit, ${demo.legalName} ${rows[0]?.wallet_user_id === demo.walletUserId ? 'among them' : 'not among them'}`);
  return rows.map((r) => ({
    merchantId: r.merchant_id,
    merchant: { ...merchantAt(world, merchantIndexOfWallet(r.wallet_user_id)), legalName: r.legal_name },
    firstCollectedDay: businessDay(r.first_collected),
  }));
}

async function settled(pool: pg.Pool, claimId: string): Promise<void> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const { rows } = await pool.query('SELECT 1 FROM claims WHERE claim_id = $1 AND status = ANY($2::text[])', [claimId, IN_FLIGHT]);
    if (rows.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
  }
}

/** Submits the cast's claims (those a resumed start finds are skipped); returns how many claims there are. */
export async function castClaims(pool: pg.Pool, options: { world: World; hospitals: CityHospitals; files: FileStore; now: Date; demo: SimMerchant }): Promise<number> {
  const { world, hospitals, files, now } = options;
  const cast = await claimants(pool, world, options.demo);
  const refused = cast[CAST.indexOf('payout_refused')]!.merchant.walletUserId;
  const wallet = await walletGatewayFor({ walletGateway: null }, { latencyMs: [20, 60], forcedOutcomes: { [refused]: 'PAYEE_NOT_EXIST' } });
  const ctx: SimContext = { pool, world, progress: silentProgress, hospitals, files, clock: { now }, stopping: () => false };
  // a day of its own in the simulator's ids, after the simulated week
  const ids = cast.map((c) => claimIdOf(world.seed, world.days, c.merchant.index));
  const { rows } = await pool.query<{ claim_id: string }>('SELECT claim_id FROM claims WHERE claim_id = ANY($1::uuid[])', [ids]);
  const done = new Set(rows.map((r) => r.claim_id));
  const today = businessDay(now);
  const send = async (i: number) => {
    if (done.has(ids[i]!)) return;
    const { kind, spec } = specFor(CAST[i]!, world, hospitals, cast[i]!, today);
    const prepared: PreparedClaim = { kind, spec, photo: await renderPhoto(spec, hospitals) };
    // minutes apart, the last just before now
    await submit(ctx, world.days, cast[i]!, ids[i]!, new Date(now.getTime() - (CAST.length - i) * MINUTE_MS), prepared);
  };
  const workers = await startClaimWorkers(pool, { files, gateway: wallet.gateway, concurrency: 2, now: () => now });
  try {
    for (const [i, role] of CAST.entries()) {
      if (role === 'waiting') continue;
      await send(i);
      // one at a time, as the simulator does: each claim's checks see the earlier ones decided
      await settled(pool, ids[i]!);
    }
  } finally {
    await workers.stop();
    await wallet.close();
  }
  // after the workers stopped: these wait for the server's own
  for (const [i, role] of CAST.entries()) if (role === 'waiting') await send(i);
  return CAST.length;
}
