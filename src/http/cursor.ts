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

/** A cursor over a (timestamp, id) order, for lists sorted newest first by time. */
export function encodeTimeCursor(at: Date, id: string): string {
  return Buffer.from(`at:${at.toISOString()}|${id}`).toString('base64url');
}

export function decodeTimeCursor(cursor: string | undefined): { at: Date; id: string } | undefined {
  if (cursor === undefined) return undefined;
  const match = /^at:(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\|([0-9a-f-]{36})$/.exec(Buffer.from(cursor, 'base64url').toString());
  const at = match?.[1] === undefined ? NaN : Date.parse(match[1]);
  if (!match?.[2] || Number.isNaN(at)) throw new ApiError(400, 'invalid_cursor', 'cursor is not one this API issued', 'cursor');
  return { at: new Date(at), id: match[2] };
}
