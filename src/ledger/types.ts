/** Ledger vocabulary shared by the pure engine, the store and the HTTP routes. */

export const PROGRAMME_ACCOUNT_KINDS = ['programme_funding', 'expired', 'lapsed', 'reimbursement_payable', 'catalogue_payable'] as const;
export const MERCHANT_ACCOUNT_KINDS = ['merchant_pending', 'merchant_available', 'merchant_debt'] as const;
export type ProgrammeAccountKind = (typeof PROGRAMME_ACCOUNT_KINDS)[number];
export type MerchantAccountKind = (typeof MERCHANT_ACCOUNT_KINDS)[number];
export type AccountKind = ProgrammeAccountKind | MerchantAccountKind;
/** Merchant credit, which credit lots track fen for fen: only the points capability moves it. */
export const MERCHANT_CREDIT_KINDS: ReadonlySet<AccountKind> = new Set(['merchant_pending', 'merchant_available']);

/** Explicit limits (TigerBeetle style): a batch and an amount have a ceiling the code asserts. */
export const MAX_BATCH_TRANSFERS = 8_190;
export const MAX_AMOUNT_FEN = 1_000_000_000_000;
/**
 * Ceiling of each side of an account (pending + posted debits, pending + posted credits): 10^15 fen,
 * some 50 years of the largest programme's accruals through the hot funding account. Any sum or
 * difference of an account's four balances then stays far inside 2^53 (≈ 9.007 × 10^15), so every
 * balance reads back as a safe integer; migration 0006 enforces the same bound.
 */
export const MAX_ACCOUNT_SIDE_FEN = 1_000_000_000_000_000;
export const MAX_TIMEOUT_S = 366 * 24 * 3600;
export const MAX_REFERENCE_CHARS = 128;

export interface Account {
  id: number;
  merchantId: number | null;
  kind: AccountKind;
  debitsPending: number;
  debitsPosted: number;
  creditsPending: number;
  creditsPosted: number;
  debitsMustNotExceedCredits: boolean;
  creditsMustNotExceedDebits: boolean;
}

export type TransferPhase = 'single' | 'pending' | 'post' | 'void';

interface TransferCommon {
  /** Client-chosen UUID: the idempotency key of the transfer. */
  id: string;
  /** What the transfer is in the programme's words: accrual, collect, lapse, spend, expire, clawback ... */
  code: string;
  /** What caused it (a payment trade number, a claim id). */
  reference?: string | null;
  /** Linked transfers succeed or fail together with the next transfer in the batch. */
  linked?: boolean;
}

export interface NewTransfer extends TransferCommon {
  phase?: 'single' | 'pending';
  debitAccountId: number;
  creditAccountId: number;
  amountFen: number;
  /** Pending only: seconds after which the reservation can no longer be posted (0 = never). */
  timeoutS?: number;
}

export interface ResolvingTransfer extends TransferCommon {
  phase: 'post' | 'void';
  pendingId: string;
  /** Post only: at most the pending amount; omitted = the whole pending amount. */
  amountFen?: number;
}

export type TransferInput = NewTransfer | ResolvingTransfer;

/** A transfer as stored: immutable once written. */
export interface Transfer {
  id: string;
  seq: number;
  debitAccountId: number;
  creditAccountId: number;
  amountFen: number;
  code: string;
  phase: TransferPhase;
  pendingId: string | null;
  timeoutS: number;
  merchantId: number | null;
  reference: string | null;
  createdAt: Date;
}

export const TRANSFER_ERRORS = [
  'id_invalid',
  'code_invalid',
  'reference_invalid',
  'amount_invalid',
  'timeout_invalid',
  'timeout_reserved_for_pending_transfer',
  'accounts_must_be_different',
  'debit_account_not_found',
  'credit_account_not_found',
  'accounts_belong_to_different_merchants',
  'account_kind_not_allowed',
  'exceeds_credits',
  'exceeds_debits',
  'exceeds_account_limit',
  'pending_transfer_not_found',
  'pending_transfer_not_pending',
  'pending_transfer_already_posted',
  'pending_transfer_already_voided',
  'pending_transfer_expired',
  'exceeds_pending_transfer_amount',
  'exists_with_different_fields',
  'linked_event_failed',
  'linked_event_chain_open',
] as const;
export type TransferError = (typeof TRANSFER_ERRORS)[number];

export type TransferResult =
  | { id: string; status: 'created'; transfer: Transfer }
  | { id: string; status: 'exists'; transfer: Transfer }
  | { id: string; status: 'failed'; error: TransferError };

/** A bug, not a business outcome: the database refused what the engine computed. */
export class LedgerInvariantError extends Error {
  override name = 'LedgerInvariantError';
}
