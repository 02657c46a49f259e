/**
 * PostgreSQL array literals built in one pass: batched statements pass thousands of values per
 * array, and the driver's generic per-element escaping costs more CPU than the statement itself.
 */
export function intArray(values: readonly (number | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i) out += ',';
    if (v === null || v === undefined) out += 'NULL';
    else if (Number.isSafeInteger(v)) out += v;
    else throw new TypeError(`not a safe integer: ${v}`);
  }
  return out + '}';
}

/** Text elements are always quoted; backslashes and quotes escaped. */
export function textArray(values: readonly (string | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i) out += ',';
    if (v === null || v === undefined) out += 'NULL';
    else out += '"' + v.replace(/[\\"]/g, '\\$&') + '"';
  }
  return out + '}';
}
