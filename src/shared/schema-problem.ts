import type Type from 'typebox';
import { Compile } from 'typebox/compile';

export interface SchemaProblem {
  field: string;
  message: string;
}

/**
 * A checker that answers null when a value matches the schema, else its first problem with the
 * field's dotted path ("signals.oddHoursFrom"), as a console form or an API error names it.
 */
export function schemaProblems<S extends Type.TSchema>(schema: S, whole = 'params'): (value: unknown) => SchemaProblem | null {
  const compiled = Compile(schema);
  return (value) => {
    if (compiled.Check(value)) return null;
    const first = [...compiled.Errors(value)][0];
    const field = first?.instancePath.replace(/^\//, '').replaceAll('/', '.') || whole;
    return { field, message: `${field} ${first?.message ?? 'is invalid'}` };
  };
}
