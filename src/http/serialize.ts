import type { Account, MerchantBalance, Transfer } from '../ledger/index.ts';
import type { Merchant } from '../merchants/types.ts';

/** Wire forms: ids of merchant-owned resources are strings; timestamps are RFC 3339 UTC. */
export function merchantJson(m: Merchant) {
  return {
    id: String(m.id),
    object: 'merchant' as const,
    walletUserId: m.walletUserId,
    legalName: m.legalName,
    idNumberHash: m.idNumberHash,
    phone: m.phone,
    city: m.city,
    enrolledAt: m.enrolledAt.toISOString(),
    createdAt: m.createdAt.toISOString(),
  };
}

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
