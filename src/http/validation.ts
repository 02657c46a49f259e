import type { FastifySchemaValidationError } from 'fastify';
import { INSTANT_RULE } from '../shared/date-time.ts';

const FORMATS: Record<string, string> = { 'date-time': INSTANT_RULE, uuid: 'a UUID' };

/** Turns ajv's first complaint into our error code, a dotted field path and a plain message. */
export function describeValidationError(part: string, error: FastifySchemaValidationError): { code: string; field: string; message: string } {
  const params = error.params as Record<string, unknown>;
  const base = error.instancePath.split('/').filter(Boolean).join('.');
  const join = (name: unknown) => (base ? `${base}.${String(name)}` : String(name));
  const where = part === 'body' ? '' : `${part} `;
  switch (error.keyword) {
    case 'additionalProperties': {
      const field = join(params.additionalProperty);
      return { code: 'unknown_field', field, message: `unknown ${where}field ${field}` };
    }
    case 'required': {
      const field = join(params.missingProperty);
      return { code: 'missing_field', field, message: `missing ${where}field ${field}` };
    }
    case 'type':
      return { code: 'invalid_type', field: base || part, message: `${where}${base || part} must be ${String(params.type)}` };
    case 'format': {
      const format = String(params.format);
      return { code: 'invalid_field', field: base || part, message: `${where}${base || part} must be ${FORMATS[format] ?? `a valid ${format}`}` };
    }
    default:
      return { code: 'invalid_field', field: base || part, message: `${where}${base || part} ${error.message ?? 'is invalid'}` };
  }
}
