import Type from 'typebox';

/**
 * One page of a list, as every list of the API answers it: the caller reads `limit + 1` rows, and the
 * row beyond the limit only says that there is more; `nextCursor` (opaque) asks for the page after
 * the last row shown.
 */
export function pageOf<R>(rows: readonly R[], limit: number, cursorAfter: (last: R) => string): { page: R[]; hasMore: boolean; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const hasMore = rows.length > limit && last !== undefined;
  return { page, hasMore, nextCursor: hasMore ? cursorAfter(last) : null };
}

/** The query of a list: how many rows (`limit`, 1 to `max`) and after which (`cursor`, the previous page's `nextCursor`). */
export function pageQuery(defaultLimit: number, max: number) {
  return Type.Object(pageQueryFields(defaultLimit, max), { additionalProperties: false });
}

/** The same two fields, for a list whose query has filters of its own beside them. */
export function pageQueryFields(defaultLimit: number, max = 200) {
  return {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: max, default: defaultLimit })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$', description: 'nextCursor of the previous page' })),
  };
}

/** The answer of a list: `{ object: 'list', data, hasMore, nextCursor }`. */
export function listSchema<T extends Type.TSchema>(item: T) {
  return Type.Object({ object: Type.Literal('list'), data: Type.Array(item), hasMore: Type.Boolean(), nextCursor: Type.Union([Type.String(), Type.Null()]) });
}
