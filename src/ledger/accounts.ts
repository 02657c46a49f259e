import type pg from 'pg';
import { intArray } from '../db/arrays.ts';
import { accountKeyParams, BY_ACCOUNT_KEY, PROGRAMME_MERCHANT_ID } from './account-ids.ts';
import { accountFromRow, transferFromRow, TRANSFER_COLUMNS, type TransferDbRow } from './store.ts';
import { MERCHANT_ACCOUNT_KINDS, type Account, type MerchantAccountKind, type ProgrammeAccountKind, type Transfer } from './types.ts';

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/** Opens merchants' pending, available and debt accounts (inside the enrolment transaction). */
export async function openMerchantAccounts(client: Queryable, merchantIds: readonly number[]): Promise<void> {
  await client.query(
    `INSERT INTO ledger_accounts (account_id, merchant_id, kind, debits_must_not_exceed_credits, credits_must_not_exceed_debits)
     SELECT ledger_account_id(m, kind), m, kind, kind <> 'merchant_debt', kind = 'merchant_debt'
       FROM unnest($1::bigint[]) AS m CROSS JOIN unnest($2::text[]) AS kind`,
    [merchantIds, MERCHANT_ACCOUNT_KINDS],
  );
}

export async function programmeAccountIds(db: Queryable): Promise<Record<ProgrammeAccountKind, number>> {
  const { rows } = await db.query<{ kind: ProgrammeAccountKind; account_id: number }>('SELECT kind, account_id FROM ledger_accounts WHERE merchant_id = $1', [PROGRAMME_MERCHANT_ID]);
  return Object.fromEntries(rows.map((r) => [r.kind, r.account_id])) as Record<ProgrammeAccountKind, number>;
}

/** Many merchants' accounts in one query, by merchant and kind. */
export async function merchantAccountsOf(db: Queryable, merchantIds: readonly number[]): Promise<Map<number, Record<MerchantAccountKind, Account>>> {
  const { rows } = await db.query('SELECT * FROM ledger_accounts WHERE merchant_id = ANY($1::bigint[])', [intArray([...new Set(merchantIds)])]);
  const out = new Map<number, Record<MerchantAccountKind, Account>>();
  for (const r of rows) {
    const account = accountFromRow(r);
    const entry = out.get(account.merchantId!) ?? ({} as Record<MerchantAccountKind, Account>);
    entry[account.kind as MerchantAccountKind] = account;
    out.set(account.merchantId!, entry);
  }
  return out;
}

export async function merchantAccounts(db: Queryable, merchantId: number): Promise<Record<MerchantAccountKind, Account> | null> {
  return (await merchantAccountsOf(db, [merchantId])).get(merchantId) ?? null;
}

export async function accountsById(db: Queryable, ids: number[]): Promise<Map<number, Account>> {
  const { rows } = await db.query(`SELECT * FROM ledger_accounts WHERE ${BY_ACCOUNT_KEY}`, accountKeyParams(ids));
  return new Map(rows.map((r) => [r.account_id as number, accountFromRow(r)]));
}

export interface MerchantBalance {
  merchantId: number;
  /** Credit the merchant can spend now. */
  availableFen: number;
  /** Available credit reserved by claims in flight (pending spends). */
  reservedFen: number;
  /** Credit earned but not yet collected. */
  pendingFen: number;
  /** Credit clawed back after it was spent; later credits repay it first. */
  debtFen: number;
}

/** Credit a merchant can spend now: posted available credit less what claims in flight reserve. */
export function spendableFen(available: Account): number {
  return available.creditsPosted - available.debitsPosted - available.debitsPending;
}

function balanceOf(merchantId: number, accounts: Record<MerchantAccountKind, Account>): MerchantBalance {
  const available = accounts.merchant_available;
  const pending = accounts.merchant_pending;
  const debt = accounts.merchant_debt;
  return {
    merchantId,
    availableFen: spendableFen(available),
    reservedFen: available.debitsPending,
    pendingFen: pending.creditsPosted - pending.debitsPosted + pending.creditsPending + available.creditsPending,
    debtFen: debt.debitsPosted - debt.creditsPosted,
  };
}

export async function merchantBalance(db: Queryable, merchantId: number): Promise<MerchantBalance | null> {
  const accounts = await merchantAccounts(db, merchantId);
  return accounts ? balanceOf(merchantId, accounts) : null;
}

export const MAX_HISTORY_PAGE = 200;

/** Newest first; `beforeSeq` is the cursor (the seq of the last transfer of the previous page). */
export async function merchantHistory(db: Queryable, merchantId: number, options: { limit: number; beforeSeq?: number }): Promise<{ transfers: Transfer[]; hasMore: boolean }> {
  const limit = Math.min(Math.max(1, options.limit), MAX_HISTORY_PAGE);
  const { rows } = await db.query<TransferDbRow>(
    `SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers
      WHERE merchant_id = $1 AND seq < $2
      ORDER BY seq DESC LIMIT $3`,
    [merchantId, options.beforeSeq ?? Number.MAX_SAFE_INTEGER, limit + 1],
  );
  return { transfers: rows.slice(0, limit).map(transferFromRow), hasMore: rows.length > limit };
}
