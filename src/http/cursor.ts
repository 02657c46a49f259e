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
