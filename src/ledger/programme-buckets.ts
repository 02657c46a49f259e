/**
 * The programme's accounts, split by merchant bucket (migration 0032, docs/sharding.md). Every accrual,
 * lapse, expiry and spend moves credit between a merchant and the programme; with one programme
 * account of each kind, every batch of every merchant updated the same row, on one shard. So each
 * bucket of merchants has its own five programme accounts, kept under an "anchor" id placed in the
 * same shard as the bucket's merchants: a merchant's transfers touch only rows of its own shard.
 *
 * A bucket is where Citus places a merchant when `merchants` is distributed by hash of merchant_id
 * into PROGRAMME_BUCKETS shards: PostgreSQL's hashint8 of the id, cut into equal ranges of the 32-bit
 * hash space (Citus's own shard intervals). The same function runs here (to name a merchant's accounts
 * without a query) and in the database (programme_bucket, used by the transfer check); a test holds
 * the two equal on the live server. Without Citus the split costs nothing and the books are the same:
 * the programme's balance is the sum of its buckets' (plus merchant 0's central accounts).
 */
import { MERCHANT_SHARDS } from '../db/shard-plan.ts';
import { ACCOUNT_ID_STRIDE } from './account-ids.ts';
import { PROGRAMME_ACCOUNT_KINDS, type ProgrammeAccountKind } from './types.ts';

/** One bucket per shard the plan distributes `merchants` into. */
export const PROGRAMME_BUCKETS = MERCHANT_SHARDS;
/** Anchors are ids no merchant reaches (merchants hold a CHECK below it); ids stay below 2^53 / 8. */
export const PROGRAMME_ANCHOR_BASE = 2 ** 40;
const HASH_RANGE_PER_BUCKET = 2 ** 32 / PROGRAMME_BUCKETS;

const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;

/** PostgreSQL's hash_uint32 (Bob Jenkins' lookup3 final mix, hashfn.c), as an unsigned 32-bit value. */
function hashUint32(k: number): number {
  let a = (0x9e3779b9 + 4 + 3923095 + k) >>> 0;
  let b = (0x9e3779b9 + 4 + 3923095) >>> 0;
  let c = b;
  c = ((c ^ b) - rotl(b, 14)) >>> 0;
  a = ((a ^ c) - rotl(c, 11)) >>> 0;
  b = ((b ^ a) - rotl(a, 25)) >>> 0;
  c = ((c ^ b) - rotl(b, 16)) >>> 0;
  a = ((a ^ c) - rotl(c, 4)) >>> 0;
  b = ((b ^ a) - rotl(a, 14)) >>> 0;
  c = ((c ^ b) - rotl(b, 24)) >>> 0;
  return c;
}

/** PostgreSQL's hashint8 of a non-negative safe integer, as the signed 32-bit integer SQL returns. */
export function hashint8(value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`hashint8 takes a non-negative safe integer, got ${value}`);
  const high = Math.floor(value / 2 ** 32) >>> 0;
  const low = (value >>> 0) ^ high;
  return hashUint32(low >>> 0) | 0;
}

export function programmeBucketOf(merchantId: number): number {
  return Math.floor((hashint8(merchantId) + 2 ** 31) / HASH_RANGE_PER_BUCKET);
}

/** The first id from PROGRAMME_ANCHOR_BASE up that falls in each bucket (as migration 0032 chose them). */
const ANCHORS: readonly number[] = (() => {
  const anchors: number[] = new Array<number>(PROGRAMME_BUCKETS);
  let found = 0;
  for (let id = PROGRAMME_ANCHOR_BASE; found < PROGRAMME_BUCKETS; id++) {
    const bucket = programmeBucketOf(id);
    if (anchors[bucket] === undefined) {
      anchors[bucket] = id;
      found++;
    }
  }
  return anchors;
})();

export function programmeAnchorOf(bucket: number): number {
  const anchor = ANCHORS[bucket];
  if (anchor === undefined) throw new RangeError(`no programme bucket ${bucket}`);
  return anchor;
}

/** The code each programme kind adds to its anchor's id (the database's ledger_account_id). */
const PROGRAMME_KIND_CODE: Readonly<Record<ProgrammeAccountKind, number>> = {
  programme_funding: 1,
  expired: 2,
  lapsed: 3,
  reimbursement_payable: 4,
  catalogue_payable: 5,
};

/** The programme's accounts a merchant's transfers name: those of the merchant's bucket. */
export function programmeAccountsOf(merchantId: number): Record<ProgrammeAccountKind, number> {
  const anchor = programmeAnchorOf(programmeBucketOf(merchantId));
  return Object.fromEntries(PROGRAMME_ACCOUNT_KINDS.map((kind) => [kind, anchor * ACCOUNT_ID_STRIDE + PROGRAMME_KIND_CODE[kind]])) as Record<ProgrammeAccountKind, number>;
}

/** Whether a ledger row's merchant_id holds the programme's accounts (merchant 0 or a bucket's anchor). */
export function isProgrammeOwner(merchantId: number): boolean {
  return merchantId === 0 || merchantId >= PROGRAMME_ANCHOR_BASE;
}
