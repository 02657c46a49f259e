/**
 * Whether an error is a violation of this constraint, as the schema names it. A single PostgreSQL
 * names it in the error's `constraint` field; Citus relays a shard's error with that field empty and
 * the shard's copy in the message, with the shard id appended (`"catalogue_items_sku_key_102712"`).
 */
export function violates(err: unknown, constraint: string): boolean {
  const fields = err as { constraint?: unknown; message?: unknown } | null;
  if (typeof fields?.constraint === 'string') return fields.constraint === constraint;
  const named = typeof fields?.message === 'string' ? /constraint "([^"]+)"/.exec(fields.message)?.[1] : undefined;
  return named !== undefined && (named === constraint || new RegExp(`^${constraint}_\\d+$`).test(named));
}
