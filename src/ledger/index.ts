/** The points ledger: accounts and immutable, idempotent transfers (see DESIGN.md §2). */
export * from './types.ts';
export { createTransfers, applyTransfers, inLedgerTransaction, transferExists, ensureLedgerDays, LEDGER_TRANSACTION_SETTINGS, type LedgerSession } from './store.ts';
export { transferIdFor, orderedTransferIdFor } from './ids.ts';
export { expirePendingTransfers, PENDING_EXPIRED_CODE } from './expiry.ts';
export {
  openMerchantAccounts,
  programmeAccountIds,
  merchantAccounts,
  merchantAccountsOf,
  accountsById,
  merchantBalance,
  spendableFen,
  merchantHistory,
  MAX_HISTORY_PAGE,
  type MerchantBalance,
} from './accounts.ts';
export { programmeAccountsOf, programmeBucketOf, isProgrammeOwner, PROGRAMME_BUCKETS } from './programme-buckets.ts';
export { merchantOfAccountId } from './account-ids.ts';
export { accountJson, balanceJson, transferJson } from './json.ts';
