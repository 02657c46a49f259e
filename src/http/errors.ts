/** The one error shape of the API: `{ "error": { "code", "message", "field"? } }`. */
import { ERROR_CATALOGUE } from '../shared/error-catalogue.ts';

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    /** Sent as Retry-After: a refusal of load (429, 503) says when to come back. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

export function errorBody(code: string, message: string, field?: string): ErrorBody {
  return { error: field === undefined ? { code, message } : { code, message, field } };
}

export const ErrorSchema = {
  $id: 'Error',
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: Object.keys(ERROR_CATALOGUE), description: 'Stable machine-readable reason; the apps show the words src/shared/error-catalogue.ts gives each code, in Chinese or English' },
        message: { type: 'string', description: 'What went wrong, for a person' },
        field: { type: 'string', description: 'The input field at fault, when there is one' },
      },
    },
  },
} as const;
