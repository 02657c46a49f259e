import type { Merchant } from './types.ts';

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
