import type { MerchantBalance } from './accounts.ts';
import type { Account, Transfer } from './types.ts';

/** Wire forms: merchant ids are strings; timestamps are RFC 3339 UTC. */
export function transferJson(t: Transfer) {
  return {
    id: t.id,
    object: 'transfer' as const,
    seq: t.seq,
    debitAccountId: t.debitAccountId,
    creditAccountId: t.creditAccountId,
    amountFen: t.amountFen,
    code: t.code,
    phase: t.phase,
    pendingId: t.pendingId,
    timeoutS: t.timeoutS,
    merchantId: t.merchantId === null ? null : String(t.merchantId),
    reference: t.reference,
    createdAt: t.createdAt.toISOString(),
  };
}

export function balanceJson(b: MerchantBalance) {
  return { object: 'balance' as const, ...b, merchantId: String(b.merchantId) };
}

export function accountJson(a: Account) {
  return {
    id: a.id,
    object: 'account' as const,
    merchantId: a.merchantId === null ? null : String(a.merchantId),
    kind: a.kind,
    debitsPendingFen: a.debitsPending,
    debitsPostedFen: a.debitsPosted,
    creditsPendingFen: a.creditsPending,
    creditsPostedFen: a.creditsPosted,
    debitsMustNotExceedCredits: a.debitsMustNotExceedCredits,
    creditsMustNotExceedDebits: a.creditsMustNotExceedDebits,
  };
}
