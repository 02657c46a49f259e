import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiRole } from '../config/config.ts';

function sameKey(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A short digest of an API key: names the key (logs, audit, idempotency scopes) without revealing it. */
export function apiKeyId(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** The role of a presented API key, compared in constant time against every configured key; null = not a key. */
export function findApiKey(keys: ReadonlyMap<string, ApiRole>, presented: string): { role: ApiRole; keyId: string } | null {
  let role: ApiRole | null = null;
  for (const [key, keyRole] of keys) if (sameKey(key, presented)) role = keyRole;
  return role === null ? null : { role, keyId: apiKeyId(presented) };
}
