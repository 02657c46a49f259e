/**
 * The pure ledger engine: given the locked state of every account a batch touches, decides each
 * transfer's outcome in order and computes what to write. No I/O, so it is tested exhaustively
 * without a database; the store applies the plan in one transaction and the database CHECKs
 * re-verify every limit.
 */
import {
  MAX_ACCOUNT_SIDE_FEN,
  MAX_AMOUNT_FEN,
  MAX_REFERENCE_CHARS,
  MAX_TIMEOUT_S,
  type Account,
  type AccountKind,
  type NewTransfer,
  type ResolvingTransfer,
  type TransferError,
  type TransferInput,
  type Transfer,
} from './types.ts';
import { invariant } from '../shared/assert.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CODE = /^[a-z][a-z_]{1,31}$/;

/** A transfer row before the database assigns seq and created_at. */
export type TransferRow = Omit<Transfer, 'seq' | 'createdAt'>;

export interface PendingState {
  row: TransferRow;
  expiresAt: Date | null;
  resolution: 'open' | 'posted' | 'voided';
}

export interface LedgerSnapshot {
  now: Date;
  /** Current balances of every account the batch names (missing = not found). */
  accounts: ReadonlyMap<number, Account>;
  /** Stored transfers whose ids appear in the batch. */
  existing: ReadonlyMap<string, TransferRow>;
  /** Stored pending transfers that the batch posts or voids, or that existing transfers resolved. */
  pendings: ReadonlyMap<string, PendingState>;
}

export type PlannedResult =
  | { id: string; status: 'created'; row: TransferRow }
  | { id: string; status: 'exists'; row: TransferRow }
  | { id: string; status: 'failed'; error: TransferError };

export interface BalanceDelta {
  debitsPending: number;
  debitsPosted: number;
  creditsPending: number;
  creditsPosted: number;
}

export interface Plan {
  results: PlannedResult[];
  inserts: TransferRow[];
  deltas: Map<number, BalanceDelta>;
  openPending: { id: string; expiresAt: Date | null }[];
  closePending: string[];
}

export function normaliseId(id: string): string {
  return typeof id === 'string' ? id.toLowerCase() : id;
}

function validAmount(amountFen: unknown): amountFen is number {
  return typeof amountFen === 'number' && Number.isSafeInteger(amountFen) && amountFen > 0 && amountFen <= MAX_AMOUNT_FEN;
}

function validReference(reference: unknown): boolean {
  return reference === undefined || reference === null || (typeof reference === 'string' && reference.length >= 1 && reference.length <= MAX_REFERENCE_CHARS);
}

function isResolving(t: TransferInput): t is ResolvingTransfer {
  return t.phase === 'post' || t.phase === 'void';
}

/** What a caller may move: the public API may not touch merchant credit, which lots must follow. */
export interface BatchPolicy {
  /** Accounts of these kinds cannot be named by a new transfer nor by a posted or voided pending one. */
  closedKinds?: ReadonlySet<AccountKind>;
}

function closed(state: WorkingState, ...accounts: (Account | undefined)[]): boolean {
  const kinds = state.policy.closedKinds;
  return kinds !== undefined && accounts.some((a) => a !== undefined && kinds.has(a.kind));
}

/** Mutable working state with an undo journal, so a failed linked chain leaves no trace. */
class WorkingState {
  readonly accounts = new Map<number, Account>();
  readonly pendings = new Map<string, PendingState>();
  readonly created = new Map<string, TransferRow>();
  readonly inserts: TransferRow[] = [];
  readonly openPending = new Map<string, Date | null>();
  readonly closePending = new Set<string>();
  private journal: (() => void)[] = [];

  constructor(
    readonly snapshot: LedgerSnapshot,
    readonly policy: BatchPolicy,
  ) {
    // explicit copies: object spread is several times slower on this hot path
    for (const [id, a] of snapshot.accounts) {
      this.accounts.set(id, {
        id: a.id,
        merchantId: a.merchantId,
        kind: a.kind,
        debitsPending: a.debitsPending,
        debitsPosted: a.debitsPosted,
        creditsPending: a.creditsPending,
        creditsPosted: a.creditsPosted,
        debitsMustNotExceedCredits: a.debitsMustNotExceedCredits,
        creditsMustNotExceedDebits: a.creditsMustNotExceedDebits,
      });
    }
    for (const [id, pending] of snapshot.pendings) this.pendings.set(id, { ...pending });
  }

  mark(): number {
    return this.journal.length;
  }

  rollbackTo(mark: number): void {
    while (this.journal.length > mark) this.journal.pop()!();
  }

  adjust(accountId: number, field: keyof BalanceDelta, by: number): void {
    const account = this.accounts.get(accountId)!;
    account[field] += by;
    this.journal.push(() => (account[field] -= by));
  }

  insert(row: TransferRow): void {
    this.inserts.push(row);
    this.created.set(row.id, row);
    this.journal.push(() => {
      this.inserts.pop();
      this.created.delete(row.id);
    });
  }

  setPending(id: string, state: PendingState | undefined): void {
    const before = this.pendings.get(id);
    if (state) this.pendings.set(id, state);
    else this.pendings.delete(id);
    this.journal.push(() => (before ? this.pendings.set(id, before) : this.pendings.delete(id)));
  }

  open(id: string, expiresAt: Date | null): void {
    this.openPending.set(id, expiresAt);
    this.journal.push(() => this.openPending.delete(id));
  }

  close(id: string): void {
    if (this.openPending.has(id)) {
      const expiresAt = this.openPending.get(id)!;
      this.openPending.delete(id);
      this.journal.push(() => this.openPending.set(id, expiresAt));
    } else {
      this.closePending.add(id);
      this.journal.push(() => this.closePending.delete(id));
    }
  }
}

function sameTransfer(input: TransferInput, stored: TransferRow, state: WorkingState): boolean {
  const phase = input.phase ?? 'single';
  if (stored.phase !== phase || stored.code !== input.code || stored.reference !== (input.reference ?? null)) return false;
  if (isResolving(input)) {
    if (stored.pendingId !== normaliseId(input.pendingId)) return false;
    if (input.phase === 'void') return true;
    const amount = input.amountFen ?? state.pendings.get(stored.pendingId)?.row.amountFen;
    return stored.amountFen === amount;
  }
  return (
    stored.debitAccountId === input.debitAccountId &&
    stored.creditAccountId === input.creditAccountId &&
    stored.amountFen === input.amountFen &&
    stored.timeoutS === (input.timeoutS ?? 0)
  );
}

function merchantOf(debit: Account, credit: Account): number | null | 'conflict' {
  if (debit.merchantId !== null && credit.merchantId !== null && debit.merchantId !== credit.merchantId) return 'conflict';
  return debit.merchantId ?? credit.merchantId;
}

function applyNew(t: NewTransfer, id: string, state: WorkingState): TransferError | TransferRow {
  if (!validAmount(t.amountFen)) return 'amount_invalid';
  const phase = t.phase ?? 'single';
  const timeoutS = t.timeoutS ?? 0;
  if (!Number.isSafeInteger(timeoutS) || timeoutS < 0 || timeoutS > MAX_TIMEOUT_S) return 'timeout_invalid';
  if (phase !== 'pending' && timeoutS !== 0) return 'timeout_reserved_for_pending_transfer';
  if (t.debitAccountId === t.creditAccountId) return 'accounts_must_be_different';
  const debit = state.accounts.get(t.debitAccountId);
  if (!debit) return 'debit_account_not_found';
  const credit = state.accounts.get(t.creditAccountId);
  if (!credit) return 'credit_account_not_found';
  const merchantId = merchantOf(debit, credit);
  if (merchantId === 'conflict') return 'accounts_belong_to_different_merchants';
  if (closed(state, debit, credit)) return 'account_kind_not_allowed';
  if (debit.debitsMustNotExceedCredits && debit.debitsPending + debit.debitsPosted + t.amountFen > debit.creditsPosted) return 'exceeds_credits';
  if (credit.creditsMustNotExceedDebits && credit.creditsPending + credit.creditsPosted + t.amountFen > credit.debitsPosted) return 'exceeds_debits';
  // posting or voiding a pending transfer only moves amounts within a side, so checking here suffices
  if (debit.debitsPending + debit.debitsPosted + t.amountFen > MAX_ACCOUNT_SIDE_FEN || credit.creditsPending + credit.creditsPosted + t.amountFen > MAX_ACCOUNT_SIDE_FEN) return 'exceeds_account_limit';

  const row: TransferRow = {
    id,
    debitAccountId: debit.id,
    creditAccountId: credit.id,
    amountFen: t.amountFen,
    code: t.code,
    phase,
    pendingId: null,
    timeoutS,
    merchantId,
    reference: t.reference ?? null,
  };
  if (phase === 'pending') {
    state.adjust(debit.id, 'debitsPending', t.amountFen);
    state.adjust(credit.id, 'creditsPending', t.amountFen);
    const expiresAt = timeoutS > 0 ? new Date(state.snapshot.now.getTime() + timeoutS * 1000) : null;
    state.setPending(id, { row, expiresAt, resolution: 'open' });
    state.open(id, expiresAt);
  } else {
    state.adjust(debit.id, 'debitsPosted', t.amountFen);
    state.adjust(credit.id, 'creditsPosted', t.amountFen);
  }
  return row;
}

function applyResolving(t: ResolvingTransfer, id: string, state: WorkingState): TransferError | TransferRow {
  const pendingId = normaliseId(t.pendingId);
  if (typeof pendingId !== 'string' || !UUID.test(pendingId)) return 'pending_transfer_not_found';
  const pending = state.pendings.get(pendingId);
  if (!pending) return state.created.has(pendingId) ? 'pending_transfer_not_pending' : 'pending_transfer_not_found';
  if (pending.row.phase !== 'pending') return 'pending_transfer_not_pending';
  if (pending.resolution === 'posted') return 'pending_transfer_already_posted';
  if (pending.resolution === 'voided') return 'pending_transfer_already_voided';
  const reserved = pending.row.amountFen;
  let amountFen = reserved;
  if (t.phase === 'post') {
    if (t.amountFen !== undefined && !validAmount(t.amountFen)) return 'amount_invalid';
    if (pending.expiresAt && pending.expiresAt.getTime() <= state.snapshot.now.getTime()) return 'pending_transfer_expired';
    amountFen = t.amountFen ?? reserved;
    if (amountFen > reserved) return 'exceeds_pending_transfer_amount';
  } else if (t.amountFen !== undefined && t.amountFen !== reserved) {
    return 'amount_invalid';
  }
  const { debitAccountId, creditAccountId } = pending.row;
  if (closed(state, state.accounts.get(debitAccountId), state.accounts.get(creditAccountId))) return 'account_kind_not_allowed';
  // The pending transfer's accounts are locked with the batch: the store loads them for every pending id.
  state.adjust(debitAccountId, 'debitsPending', -reserved);
  state.adjust(creditAccountId, 'creditsPending', -reserved);
  if (t.phase === 'post') {
    state.adjust(debitAccountId, 'debitsPosted', amountFen);
    state.adjust(creditAccountId, 'creditsPosted', amountFen);
  }
  state.setPending(pendingId, { ...pending, resolution: t.phase === 'post' ? 'posted' : 'voided' });
  state.close(pendingId);
  return {
    id,
    debitAccountId,
    creditAccountId,
    amountFen,
    code: t.code,
    phase: t.phase,
    pendingId,
    timeoutS: 0,
    merchantId: pending.row.merchantId,
    reference: t.reference ?? null,
  };
}

function applyOne(t: TransferInput, state: WorkingState): PlannedResult {
  const id = normaliseId(t.id);
  if (typeof id !== 'string' || !UUID.test(id)) return { id: String(t.id), status: 'failed', error: 'id_invalid' };
  const prior = state.created.get(id) ?? state.snapshot.existing.get(id);
  if (prior) {
    return sameTransfer(t, prior, state) ? { id, status: 'exists', row: prior } : { id, status: 'failed', error: 'exists_with_different_fields' };
  }
  if (typeof t.code !== 'string' || !CODE.test(t.code)) return { id, status: 'failed', error: 'code_invalid' };
  if (!validReference(t.reference)) return { id, status: 'failed', error: 'reference_invalid' };
  const outcome = isResolving(t) ? applyResolving(t, id, state) : applyNew(t, id, state);
  if (typeof outcome === 'string') return { id, status: 'failed', error: outcome };
  state.insert(outcome);
  return { id, status: 'created', row: outcome };
}

/** Decides a batch in order. Linked chains are all-or-nothing, as in TigerBeetle. */
export function planBatch(batch: readonly TransferInput[], snapshot: LedgerSnapshot, policy: BatchPolicy = {}): Plan {
  const state = new WorkingState(snapshot, policy);
  const results: PlannedResult[] = [];
  let chainStart = 0;
  let chainMark = state.mark();
  for (let i = 0; i < batch.length; i++) {
    const transfer = batch[i]!;
    const inChain = i > chainStart || transfer.linked === true;
    const result = applyOne(transfer, state);
    results.push(result);
    const chainEnds = transfer.linked !== true;
    if (result.status === 'failed' && inChain) {
      state.rollbackTo(chainMark);
      // every other member of the chain fails too; skip to the chain's end
      let end = i;
      while (end < batch.length - 1 && batch[end]!.linked === true) end++;
      for (let j = chainStart; j <= end; j++) {
        if (j === i) continue;
        const id = normaliseId(batch[j]!.id);
        results[j] = { id: String(id), status: 'failed', error: 'linked_event_failed' };
      }
      i = end;
      chainStart = end + 1;
      chainMark = state.mark();
      continue;
    }
    if (chainEnds) {
      chainStart = i + 1;
      chainMark = state.mark();
    }
  }
  if (chainStart < batch.length) {
    // the batch ended inside a linked chain: nothing of it applies
    state.rollbackTo(chainMark);
    for (let j = chainStart; j < batch.length; j++) {
      results[j] = { id: String(normaliseId(batch[j]!.id)), status: 'failed', error: 'linked_event_chain_open' };
    }
  }

  const deltas = new Map<number, BalanceDelta>();
  for (const [id, after] of state.accounts) {
    const before = snapshot.accounts.get(id)!;
    const delta = {
      debitsPending: after.debitsPending - before.debitsPending,
      debitsPosted: after.debitsPosted - before.debitsPosted,
      creditsPending: after.creditsPending - before.creditsPending,
      creditsPosted: after.creditsPosted - before.creditsPosted,
    };
    if (delta.debitsPending || delta.debitsPosted || delta.creditsPending || delta.creditsPosted) deltas.set(id, delta);
  }
  const plan = {
    results,
    inserts: state.inserts,
    deltas,
    openPending: [...state.openPending].map(([id, expiresAt]) => ({ id, expiresAt })),
    closePending: [...state.closePending],
  };
  assertPlanBalanced(plan, snapshot.accounts);
  return plan;
}

/**
 * The plan's postconditions, checked before the store writes it (the database CHECKs would refuse
 * an overdraft, but not an unbalanced plan): every transfer moves a positive amount between two
 * accounts; what the plan adds to debits it adds to credits, pending and posted apart; and a limited
 * account whose limited side the plan grows stays within its limit. An account already past its
 * limit in `accounts` (the balances before the batch) is not judged on a side the plan does not grow.
 */
export function assertPlanBalanced(plan: Pick<Plan, 'inserts' | 'deltas'>, accounts: ReadonlyMap<number, Account>): void {
  for (const row of plan.inserts) {
    invariant(row.debitAccountId !== row.creditAccountId, `transfer ${row.id} debits and credits the same account ${row.debitAccountId}`);
    invariant(row.amountFen > 0, `transfer ${row.id} moves ${row.amountFen} fen`);
  }
  const sum = { debitsPending: 0, debitsPosted: 0, creditsPending: 0, creditsPosted: 0 };
  for (const [id, delta] of plan.deltas) {
    sum.debitsPending += delta.debitsPending;
    sum.debitsPosted += delta.debitsPosted;
    sum.creditsPending += delta.creditsPending;
    sum.creditsPosted += delta.creditsPosted;
    const before = accounts.get(id);
    invariant(before !== undefined, `the plan changes account ${id}, which the batch did not load`);
    const debitsFen = before.debitsPending + before.debitsPosted + delta.debitsPending + delta.debitsPosted;
    const creditsFen = before.creditsPending + before.creditsPosted + delta.creditsPending + delta.creditsPosted;
    if (before.debitsMustNotExceedCredits && delta.debitsPending + delta.debitsPosted > 0) {
      invariant(debitsFen <= before.creditsPosted + delta.creditsPosted, `the plan overdraws account ${id}: debits ${debitsFen} fen over posted credits ${before.creditsPosted + delta.creditsPosted} fen`);
    }
    if (before.creditsMustNotExceedDebits && delta.creditsPending + delta.creditsPosted > 0) {
      invariant(creditsFen <= before.debitsPosted + delta.debitsPosted, `the plan over-credits account ${id}: credits ${creditsFen} fen over posted debits ${before.debitsPosted + delta.debitsPosted} fen`);
    }
  }
  invariant(sum.debitsPending === sum.creditsPending, `the plan adds ${sum.debitsPending} fen to pending debits but ${sum.creditsPending} fen to pending credits`);
  invariant(sum.debitsPosted === sum.creditsPosted, `the plan adds ${sum.debitsPosted} fen to posted debits but ${sum.creditsPosted} fen to posted credits`);
}
