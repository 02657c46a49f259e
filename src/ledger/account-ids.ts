/**
 * An account's id carries its merchant (migration 0026): merchant id × ACCOUNT_ID_STRIDE + the code of
 * its kind (the database's ledger_account_id, held by a CHECK). The programme's own accounts are merchant 0's. A transfer names
 * its accounts by id alone, and the ledger still reads them by key (merchant_id, account_id), so that
 * each read stays within one merchant's rows.
 */
import { intArray } from '../db/arrays.ts';

export const ACCOUNT_ID_STRIDE = 8;

/** The programme's own accounts, and the transfers that touch no merchant, are merchant 0's. */
export const PROGRAMME_MERCHANT_ID = 0;

export function merchantOfAccountId(accountId: number): number {
  return Math.floor(accountId / ACCOUNT_ID_STRIDE);
}

/** The condition that finds accounts by id through their key; its parameters come from accountKeyParams. */
export const BY_ACCOUNT_KEY = 'merchant_id = ANY($1::bigint[]) AND account_id = ANY($2::bigint[])';

export function accountKeyParams(accountIds: readonly number[]): [string, string] {
  return [intArray([...new Set(accountIds.map(merchantOfAccountId))]), intArray([...accountIds])];
}
