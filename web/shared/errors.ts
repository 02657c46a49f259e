import { errorWords } from '../../src/shared/error-catalogue.ts';
import { ApiFailure } from './api.ts';

/**
 * What a person reads for a failed call, in `language`: the catalogue's words for the API's code
 * (never the API's English message), `unreachable` when no answer came, and a generic sentence naming
 * the code for one the catalogue lacks (a test keeps that from happening).
 */
export function failureWords(err: unknown, language: string, unreachable: string): string {
  if (!(err instanceof ApiFailure) || err.code === 'network') return unreachable;
  return errorWords(err.code, language) ?? (language.startsWith('zh') ? `操作未成功（${err.code}）` : `That did not work (${err.code})`);
}
