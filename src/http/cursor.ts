import Type from 'typebox';
import { ApiError } from './errors.ts';

/** The query of a cursor-paged list: how many (`limit`, 1 to `max`) and the `cursor` the previous page gave. */
export function pageQuery(defaultLimit: number, max: number) {
  return Type.Object(
    {
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: max, default: defaultLimit })),
      cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' })),
    },
    { additionalProperties: false },
  );
}

/** A page of a list, Stripe's way: `hasMore` and the cursor of the next page. */
export function listSchema<T extends Type.TSchema>(item: T) {
  return Type.Object({ object: Type.Literal('list'), data: Type.Array(item), hasMore: Type.Boolean(), nextCursor: Type.Union([Type.String(), Type.Null()]) });
}

/** The page from rows read with `limit + 1` (one more says whether there are more), the next cursor from its last row. */
export function pageOf<R, T>(rows: readonly R[], limit: number, cursorOf: (last: R) => string, json: (row: R) => T) {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { object: 'list' as const, data: page.map(json), hasMore: rows.length > limit, nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}

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
