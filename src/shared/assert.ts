/**
 * Named assertions: what the code relies on, said where it relies on it. A broken one is a bug in
 * Carepoints (or a database that no longer holds what the schema promises), never a caller's
 * mistake, so it is an InvariantError the HTTP layer answers as any other internal error.
 */
export class InvariantError extends Error {
  override name = 'InvariantError';
}

export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantError(message);
}

/** The value, which must be there; `what` names it for the error ("the merchant's accounts"). */
export function present<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new InvariantError(`expected ${what}, found none`);
  return value;
}

/**
 * The one row of a query that returns exactly one (an aggregate, an INSERT … RETURNING, a row the
 * caller holds a lock on); `what` names the row for the error ("the inserted claim").
 */
export function onlyRow<T>(rows: readonly T[], what: string): T {
  if (rows.length !== 1) throw new InvariantError(`expected exactly one row for ${what}, found ${rows.length}`);
  return rows[0] as T;
}
