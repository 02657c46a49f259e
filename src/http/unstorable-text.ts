import type { FastifyRequest } from 'fastify';
import { ApiError } from './errors.ts';

/**
 * PostgreSQL text cannot hold NUL (a whole batch failed at INSERT for one), and a lone UTF-16
 * surrogate silently becomes U+FFFD on its way to UTF-8. Neither can be stored as sent, so every
 * string of every request (path, query, headers, body, keys included) is checked before the schema
 * runs, and the first offender is refused by name.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function problemOf(text: string): string | null {
  if (text.includes('\u0000')) return 'a NUL character';
  if (LONE_SURROGATE.test(text)) return 'a lone UTF-16 surrogate (not valid Unicode)';
  return null;
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return true;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The dotted path of the first string (or key) that cannot be stored, and why; null when all can. */
export function unstorableText(root: unknown): { field: string; problem: string } | null {
  // iterative: a deeply nested body must not overflow the stack
  const stack: { value: unknown; path: string }[] = [{ value: root, path: '' }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      const problem = problemOf(value);
      if (problem) return { field: path, problem };
    } else if (isContainer(value)) {
      for (const [key, child] of Object.entries(value)) {
        const childPath = path ? `${path}.${key}` : key;
        const keyProblem = problemOf(key);
        if (keyProblem) return { field: childPath, problem: keyProblem };
        stack.push({ value: child, path: childPath });
      }
    }
  }
  return null;
}

/** A preValidation hook for the whole app. */
export async function refuseUnstorableText(request: FastifyRequest): Promise<void> {
  for (const [part, value] of [['path', request.params], ['query', request.query], ['header', request.headers], ['body', request.body]] as const) {
    const found = unstorableText(value);
    if (found) {
      const field = found.field || part;
      throw new ApiError(400, 'invalid_characters', `${part === 'body' ? '' : `${part} `}${field} contains ${found.problem}`, field);
    }
  }
}
