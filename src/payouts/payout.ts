/**
 * A payout's life in PostgreSQL, around the wallet gateway: created with its credit reservation,
 * sent, and settled exactly once. The rule that makes it exactly once: `sending` (attempts + 1) is
 * committed before a request leaves, and any payout that may have left is *queried* by its
 * out_biz_no before anything else; only a confirmed absence allows sending the identical request
 * again (the gateway is idempotent on out_biz_no besides).
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { changeCredit, postReservation, reserveCredit, voidReservation, type CreditChange } from '../points/index.ts';
import { onlyRow } from '../shared/assert.ts';

export type PayoutState = 'ready' | 'sending' | 'unknown' | 'succeeded' | 'failed';

export interface Payout {
  merchantId: number;
  payoutId: string;
  claimId: string;
  amountFen: number;
  payeeUserId: string;
  state: PayoutState;
  attempts: number;
  gatewayOrderId: string | null;
  failureCode: string | null;
}

/** What the pipeline needs of the wallet gateway (src/payouts/gateway.ts speaks the platform's protocol). */
export interface PayoutGateway {
  transfer(request: { outBizNo: string; amountFen: number; payeeUserId: string; orderTitle: string }): Promise<
    { kind: 'success'; orderId: string } | { kind: 'failed'; code: string; subCode?: string; message: string } | { kind: 'unknown'; reason: string }
  >;
  query(outBizNo: string): Promise<{ kind: 'success'; orderId: string } | { kind: 'failed'; code: string; message: string } | { kind: 'absent' } | { kind: 'unknown'; reason: string }>;
}

export type Settlement = { kind: 'succeeded'; orderId: string } | { kind: 'failed'; code: string; message: string };

/** Called in the settling transaction (the claim follows its payout in the same commit). */
export type OnSettled = (client: pg.PoolClient, payout: Payout, settlement: Settlement) => Promise<void>;

/** An outcome nobody knows yet: the job is retried with backoff and queries first next time. */
export class PayoutOutcomeUnknown extends Error {
  override name = 'PayoutOutcomeUnknown';
}

/**
 * One payout's retry budget. It is spent in three units, each bounding a different thing, so it is
 * three numbers sized against each other here rather than one:
 * - MAX_PAYOUT_ATTEMPTS transfer requests to the gateway: the only requests that can move money;
 * - MAX_UNKNOWN_OUTCOME_RETRIES pay jobs queued again after an unknown outcome, payRetryDelayMs
 *   apart (some 34 minutes in all), each querying the gateway before it resends: enough for the
 *   transfer requests and then EXHAUSTED_QUIET_MS, so an exhausted payout fails by itself;
 * - PAY_JOB_MAX_ATTEMPTS runs of each of those jobs by the job queue when one fails otherwise (the
 *   database away, the chain spent), at the queue's backoff of e^min(n, 10) s: some four days before
 *   the job is dead and a person retries it (GET /v1/ops/dead-jobs).
 */
export const MAX_PAYOUT_ATTEMPTS = 12;
export const MAX_UNKNOWN_OUTCOME_RETRIES = 40;
export const PAY_JOB_MAX_ATTEMPTS = 25;
/** Unknown outcomes are tried again sooner than the queue's own backoff: 0.5 s, doubling, at most a minute. */
const PAY_RETRY_BASE_MS = 500;
const PAY_RETRY_MAX_MS = 60_000;

/** How long after its `retry`-th unknown outcome (from 0) a payout's pay job runs again. */
export function payRetryDelayMs(retry: number): number {
  return Math.min(PAY_RETRY_MAX_MS, PAY_RETRY_BASE_MS * 2 ** retry);
}
/**
 * The way out of an exhausted payout: once the gateway confirms it holds no such transfer and the last
 * request is this old (none can still be on the wire), the payout fails, its reservation is released
 * and the claim goes back to a person. Until then it stays unknown and its job is retried (or dead).
 */
export const EXHAUSTED_QUIET_MS = 10 * 60_000;
export const ATTEMPTS_EXHAUSTED = 'ATTEMPTS_EXHAUSTED';

interface PayoutRow {
  merchant_id: number;
  payout_id: string;
  claim_id: string;
  amount_fen: number;
  payee_user_id: string;
  state: PayoutState;
  attempts: number;
  gateway_order_id: string | null;
  failure_code: string | null;
}

function payoutFromRow(r: PayoutRow): Payout {
  return {
    merchantId: r.merchant_id,
    payoutId: r.payout_id,
    claimId: r.claim_id,
    amountFen: r.amount_fen,
    payeeUserId: r.payee_user_id,
    state: r.state,
    attempts: r.attempts,
    gatewayOrderId: r.gateway_order_id,
    failureCode: r.failure_code,
  };
}

/** out_biz_no: 32 alphanumerics, unique per payout. */
export function newPayoutId(): string {
  return `P${randomBytes(16).toString('hex').toUpperCase().slice(0, 31)}`;
}

/** Reserves the credit and records the payout, in the caller's credit change (merchant locked). */
export async function createPayout(change: CreditChange, payout: { merchantId: number; claimId: string; amountFen: number; payeeUserId: string }): Promise<Payout> {
  const payoutId = newPayoutId();
  const reserveId = await reserveCredit(change, { ...payout, payoutId });
  const { rows } = await change.client.query<PayoutRow>(
    `INSERT INTO payouts (merchant_id, payout_id, claim_id, amount_fen, payee_user_id, reserve_id, state)
     VALUES ($1, $2, $3, $4, $5, $6, 'ready') RETURNING *`,
    [payout.merchantId, payoutId, payout.claimId, payout.amountFen, payout.payeeUserId, reserveId],
  );
  return payoutFromRow(onlyRow(rows, `the inserted payout ${payoutId}`));
}

export async function getPayout(db: Pick<pg.Pool, 'query'>, merchantId: number, payoutId: string): Promise<Payout | null> {
  const { rows } = await db.query<PayoutRow>('SELECT * FROM payouts WHERE merchant_id = $1 AND payout_id = $2', [merchantId, payoutId]);
  return rows[0] ? payoutFromRow(rows[0]) : null;
}

async function settle(pool: pg.Pool, merchantId: number, payoutId: string, settlement: Settlement, onSettled: OnSettled): Promise<void> {
  await changeCredit(pool, async (change) => {
    const { client } = change;
    await change.lock([merchantId]);
    const { rows } = await client.query<PayoutRow>('SELECT * FROM payouts WHERE merchant_id = $1 AND payout_id = $2 FOR UPDATE', [merchantId, payoutId]);
    const payout = payoutFromRow(onlyRow(rows, `payout ${payoutId} to settle`));
    if (payout.state === 'succeeded' || payout.state === 'failed') return; // settled before: a replay
    const spend = { merchantId, payoutId, claimId: payout.claimId, amountFen: payout.amountFen };
    if (settlement.kind === 'succeeded') {
      await postReservation(change, spend);
      await client.query("UPDATE payouts SET state = 'succeeded', gateway_order_id = $3, settled_at = now(), updated_at = now() WHERE merchant_id = $1 AND payout_id = $2", [
        merchantId,
        payoutId,
        settlement.orderId,
      ]);
    } else {
      await voidReservation(change, spend);
      await client.query(
        "UPDATE payouts SET state = 'failed', failure_code = $3, failure_message = $4, settled_at = now(), updated_at = now() WHERE merchant_id = $1 AND payout_id = $2",
        [merchantId, payoutId, settlement.code, settlement.message.slice(0, 500)],
      );
    }
    await onSettled(client, payout, settlement);
  });
}

/** Whether the payout has not changed for `quietMs`, by the database's clock. */
async function quietFor(pool: pg.Pool, payout: Payout, quietMs: number): Promise<boolean> {
  const { rows } = await pool.query<{ quiet: boolean }>("SELECT updated_at <= now() - $3 * interval '1 millisecond' AS quiet FROM payouts WHERE merchant_id = $1 AND payout_id = $2", [
    payout.merchantId,
    payout.payoutId,
    quietMs,
  ]);
  return rows[0]?.quiet === true;
}

async function markSending(pool: pg.Pool, payout: Payout): Promise<boolean> {
  const { rowCount } = await pool.query(
    "UPDATE payouts SET state = 'sending', attempts = attempts + 1, updated_at = now() WHERE merchant_id = $1 AND payout_id = $2 AND state = $3 AND attempts = $4",
    [payout.merchantId, payout.payoutId, payout.state, payout.attempts],
  );
  return rowCount === 1;
}

/**
 * Drives one payout as far as it can go now. Returns the settled state, or throws
 * PayoutOutcomeUnknown when the gateway's answer is not known yet (retry later: it queries first).
 */
export async function payOut(pool: pg.Pool, gateway: PayoutGateway, ids: { merchantId: number; payoutId: string }, options: { orderTitle: string; onSettled: OnSettled }): Promise<PayoutState> {
  const payout = await getPayout(pool, ids.merchantId, ids.payoutId);
  if (!payout) throw new Error(`payout ${ids.payoutId} of merchant ${ids.merchantId} does not exist`);
  if (payout.state === 'succeeded' || payout.state === 'failed') return payout.state;
  if (payout.state === 'sending' || payout.state === 'unknown') {
    const found = await gateway.query(payout.payoutId);
    if (found.kind === 'success') {
      await settle(pool, ids.merchantId, ids.payoutId, { kind: 'succeeded', orderId: found.orderId }, options.onSettled);
      return 'succeeded';
    }
    if (found.kind === 'failed') {
      await settle(pool, ids.merchantId, ids.payoutId, { kind: 'failed', code: found.code, message: found.message }, options.onSettled);
      return 'failed';
    }
    if (found.kind === 'unknown') throw new PayoutOutcomeUnknown(`payout ${payout.payoutId}: query answered unknown (${found.reason})`);
    // confirmed absent: the identical request may be sent again
  }
  if (payout.attempts >= MAX_PAYOUT_ATTEMPTS) {
    // here the gateway has just confirmed it never took this payout (attempts > 0 means it was sent before)
    if (await quietFor(pool, payout, EXHAUSTED_QUIET_MS)) {
      const message = `no transfer after ${payout.attempts} attempts; the gateway confirms it holds none`;
      await settle(pool, ids.merchantId, ids.payoutId, { kind: 'failed', code: ATTEMPTS_EXHAUSTED, message }, options.onSettled);
      return 'failed';
    }
    throw new PayoutOutcomeUnknown(`payout ${payout.payoutId} reached ${MAX_PAYOUT_ATTEMPTS} attempts; it fails once its last request is ${EXHAUSTED_QUIET_MS} ms old`);
  }
  if (!(await markSending(pool, payout))) throw new PayoutOutcomeUnknown(`payout ${payout.payoutId} changed while being sent; retrying`);
  const answer = await gateway.transfer({ outBizNo: payout.payoutId, amountFen: payout.amountFen, payeeUserId: payout.payeeUserId, orderTitle: options.orderTitle });
  if (answer.kind === 'success') {
    await settle(pool, ids.merchantId, ids.payoutId, { kind: 'succeeded', orderId: answer.orderId }, options.onSettled);
    return 'succeeded';
  }
  if (answer.kind === 'failed') {
    await settle(pool, ids.merchantId, ids.payoutId, { kind: 'failed', code: answer.subCode ?? answer.code, message: answer.message }, options.onSettled);
    return 'failed';
  }
  await pool.query("UPDATE payouts SET state = 'unknown', updated_at = now() WHERE merchant_id = $1 AND payout_id = $2 AND state = 'sending'", [ids.merchantId, ids.payoutId]);
  throw new PayoutOutcomeUnknown(`payout ${payout.payoutId}: outcome unknown (${answer.reason}); will query before resending`);
}
