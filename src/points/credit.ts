/**
 * The one way a merchant's credit changes. `changeCredit` runs the work in a ledger transaction (its
 * settings, the day partitions, the retry on a conflict or a refused balance, the locked retry) and
 * hands it a CreditChange: the ledger session, the merchants' lock, and `post`, which refuses a
 * transfer that moves the credit of a merchant the change has not locked. Every change of a
 * merchant's credit (accrual, claw-back, collection, lapse, expiry, a claim's reservation and payout, a
 * catalogue order) holds its merchants' accrual rows first: concurrent changes of one merchant run one
 * after the other, and the locks are taken in one statement, in id order, so they cannot deadlock.
 */
import type pg from 'pg';
import { intArray } from '../db/arrays.ts';
import { applyTransfers, inLedgerTransaction, isProgrammeOwner, MAX_BATCH_TRANSFERS, merchantOfAccountId, type LedgerSession, type TransferInput } from '../ledger/index.ts';
import { invariant } from '../shared/assert.ts';

/** What accrual keeps per merchant, read under the lock. */
export interface MerchantAccrualState {
  welcomedTradeNo: string | null;
}

export interface CreditChange extends LedgerSession {
  /** The merchants this change has locked (empty before `lock`). */
  readonly lockedMerchants: ReadonlySet<number>;
  /**
   * Locks the merchants' credit for the rest of the transaction and returns the accrual state of
   * those that exist. Called once a change: every lock in one statement keeps the order.
   */
  lock(merchantIds: readonly number[]): Promise<ReadonlyMap<number, MerchantAccrualState>>;
}

/** A transfer refused by the ledger's rules inside a credit change: a programming error, never a user's. */
export class CreditTransferRefused extends Error {
  constructor(
    readonly transferId: string,
    readonly reason: string,
  ) {
    super(`credit transfer ${transferId} refused: ${reason}`);
    this.name = 'CreditTransferRefused';
  }
}

/** Opens a credit change on the caller's ledger session (for a transaction that also does other work, as an idempotent create). */
export function creditChangeOn(session: LedgerSession): CreditChange {
  let locked: Set<number> | null = null;
  return {
    ...session,
    get lockedMerchants(): ReadonlySet<number> {
      return locked ?? new Set();
    },
    async lock(merchantIds) {
      invariant(locked === null, 'a credit change locks its merchants once, in one statement');
      const state = await lockMerchants(session.client, merchantIds);
      locked = new Set(state.keys());
      return state;
    },
  };
}

/**
 * Locks the merchants' accrual rows for the transaction. A no-op UPDATE rather than SELECT … FOR
 * UPDATE: Citus refuses a row lock that spans shards but routes an UPDATE to every shard it names,
 * taking the same row locks (on one PostgreSQL, in key order: the index scan walks the sorted ids).
 */
async function lockMerchants(client: pg.PoolClient, merchantIds: readonly number[]): Promise<Map<number, MerchantAccrualState>> {
  const { rows } = await client.query<{ merchant_id: number; welcomed_trade_no: string | null }>(
    'UPDATE merchant_accrual SET welcomed_trade_no = welcomed_trade_no WHERE merchant_id = ANY($1::bigint[]) RETURNING merchant_id, welcomed_trade_no',
    [intArray([...new Set(merchantIds)])],
  );
  return new Map(rows.map((r) => [r.merchant_id, { welcomedTradeNo: r.welcomed_trade_no }]));
}

export function changeCredit<T>(pool: pg.Pool, work: (change: CreditChange) => Promise<T>): Promise<T> {
  return inLedgerTransaction(pool, (session) => work(creditChangeOn(session)));
}

/**
 * Posts transfers inside a credit change; a refused one throws (the caller's plan was wrong). A
 * transfer naming a merchant's account requires that merchant locked by the change.
 */
export async function postCredit(change: CreditChange, transfers: readonly TransferInput[], options: { lock: boolean } = { lock: true }): Promise<void> {
  for (const t of transfers) {
    if (!('debitAccountId' in t)) continue;
    for (const accountId of [t.debitAccountId, t.creditAccountId]) {
      const merchantId = merchantOfAccountId(accountId);
      if (isProgrammeOwner(merchantId)) continue;
      invariant(change.lockedMerchants.has(merchantId), `transfer ${t.id} moves the credit of merchant ${merchantId}, which this change has not locked`);
    }
  }
  for (let i = 0; i < transfers.length; i += MAX_BATCH_TRANSFERS) {
    const results = await applyTransfers(change, transfers.slice(i, i + MAX_BATCH_TRANSFERS), options);
    const failed = results.find((r) => r.status === 'failed');
    if (failed) throw new CreditTransferRefused(failed.id, failed.status === 'failed' ? (failed.error ?? 'refused') : '');
  }
}
