import { createHash } from 'node:crypto';

/**
 * A deterministic transfer id (UUID version 5 layout, SHA-1 over the parts) for transfers that
 * follow from a business event: the same event always yields the same id, so replays are no-ops.
 */
export function transferIdFor(...parts: (string | number)[]): string {
  const hash = createHash('sha1').update(parts.map(String).join('\u001f')).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
