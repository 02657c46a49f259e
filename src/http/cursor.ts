import { ApiError } from './errors.ts';

/** Opaque page cursors: clients pass back `nextCursor` and never build one. */
export function encodeCursor(seq: number): string {
  return Buffer.from(`seq:${seq}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const match = /^seq:([1-9][0-9]{0,15})$/.exec(Buffer.from(cursor, 'base64url').toString());
  const seq = match?.[1] === undefined ? NaN : Number(match[1]);
  if (!Number.isSafeInteger(seq)) throw new ApiError(400, 'invalid_cursor', 'cursor is not one this API issued', 'cursor');
  return seq;
}

/**
 * A row's place in a (time, id) order: the instant as an ISO string, to the microsecond when the
 * column holds microseconds (a Date keeps milliseconds only, and a page cut inside a millisecond
 * would skip or repeat the rows of that millisecond).
 */
export interface TimeKey {
  at: string;
  id: string;
}

/** A cursor over a (timestamp, id) order, for lists sorted by time; `at` as the database gives it (see isoMicros). */
export function encodeTimeCursor(at: Date | string, id: string): string {
  return Buffer.from(`at:${typeof at === 'string' ? at : at.toISOString()}|${id}`).toString('base64url');
}

/** What a time cursor's id may be: a UUID by default; a list keyed otherwise says what its ids look like. */
export const UUID_ID = /^[0-9a-f-]{36}$/;

export function decodeTimeCursor(cursor: string | undefined, idPattern: RegExp = UUID_ID): TimeKey | undefined {
  if (cursor === undefined) return undefined;
  const match = /^at:(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(?:\d{3})?Z)\|(.{1,80})$/.exec(Buffer.from(cursor, 'base64url').toString());
  const at = match?.[1] === undefined ? NaN : Date.parse(match[1]);
  if (!match?.[2] || !idPattern.test(match[2]) || Number.isNaN(at)) throw new ApiError(400, 'invalid_cursor', 'cursor is not one this API issued', 'cursor');
  return { at: match[1]!, id: match[2] };
}
