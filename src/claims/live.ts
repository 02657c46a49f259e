/**
 * Live claim status for Server-Sent Events: PostgreSQL notifications (sent on commit by
 * transitionClaim) fanned out to the streams watching each claim.
 */
import type pg from 'pg';
import { ChannelWatch } from '../db/listen.ts';
import { CLAIM_CHANNEL, type ClaimStatus } from './store.ts';

export interface ClaimNotice {
  merchantId: number;
  claimId: string;
  status: ClaimStatus;
}

export class ClaimWatch extends ChannelWatch<ClaimNotice> {
  constructor(pool: pg.Pool) {
    super(pool, CLAIM_CHANNEL, (notice) => notice.claimId);
  }
}
