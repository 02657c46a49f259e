import { createHash } from 'node:crypto';

/** Bytes 6 and 8 say the UUID's version and variant (RFC 9562). */
function uuidText(bytes: Buffer, version: number): string {
  bytes[6] = (bytes[6]! & 0x0f) | (version << 4);
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function digestOf(parts: readonly (string | number)[]): Buffer {
  return createHash('sha1').update(parts.map(String).join('\u001f')).digest();
}

/**
 * A deterministic transfer id (UUID version 5 layout, SHA-1 over the parts) for transfers that
 * follow from a business event: the same event always yields the same id, so replays are no-ops.
 * For events that come a few thousand a day (payouts, orders, expiries of reservations).
 */
export function transferIdFor(...parts: (string | number)[]): string {
  return uuidText(digestOf(parts), 5);
}

/**
 * transferIdFor for the events that come by the hundred million a day (earning, collection, lapse,
 * expiry, claw-back): the id leads with a time of the event that never changes (UUID version 8, laid
 * out as version 7: 48 bits of Unix milliseconds, then the SHA-1 of the time and the parts). Every
 * transfer id is a key of ledger_transfer_ids, kept as long as the ledger: ids that arrive in time
 * order go to the recent end of its index, so that writing and finding them touches a few recent
 * pages however many years it holds, where ids spread at random touch pages all over it.
 */
export function orderedTransferIdFor(at: Date, ...parts: (string | number)[]): string {
  const ms = at.getTime();
  if (!Number.isSafeInteger(ms) || ms < 0 || ms >= 2 ** 48) throw new RangeError(`an ordered transfer id needs a time within 48 bits of milliseconds, not ${String(at)}`);
  const bytes = digestOf([ms, ...parts]);
  bytes.writeUIntBE(ms, 0, 6);
  return uuidText(bytes, 8);
}
