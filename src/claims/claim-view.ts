/** A claim with its whole history, as one claim's routes answer it: the timeline and the appeal beside the row. */
import type pg from 'pg';
import type { HospitalRegistry } from '../recognition/index.ts';
import { getAppeal } from './appeal-store.ts';
import { claimJson } from './schema.ts';
import { claimTimeline, type Claim } from './store.ts';

export async function wholeClaimJson(db: Pick<pg.Pool, 'query'> | pg.PoolClient, claim: Claim, shown: { forMerchant?: boolean; hospitals?: Pick<HospitalRegistry, 'byId'> }) {
  // one after the other: `db` may be a transaction's client
  const timeline = await claimTimeline(db, claim.merchantId, claim.claimId);
  const appeal = await getAppeal(db, claim.merchantId, claim.claimId);
  return claimJson(claim, timeline, { ...shown, appeal });
}
