import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { KeyObject } from 'node:crypto';
import type pg from 'pg';
import type { ApiRole } from '../config/config.ts';
import { ledgerRoutes } from '../ledger/routes.ts';
import { merchantRoutes } from '../merchants/routes.ts';
import { IngestBatcher } from '../payments/batcher.ts';
import { paymentRoutes } from '../payments/routes.ts';
import type { AppContext } from './context.ts';
import { ApiError, ErrorSchema, errorBody } from './errors.ts';
import { createMetrics } from './metrics.ts';
import { describeValidationError } from './validation.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export const BODY_LIMIT_BYTES = 4 * 1024 * 1024;

export interface AppOptions {
  pool: pg.Pool;
  apiKeys: ReadonlyMap<string, ApiRole>;
  idHashKey: string;
  platformPublicKey?: KeyObject | null;
  /** A pino logger; none = silent (tests). */
  logger?: FastifyBaseLogger;
}

function ajv(coerceTypes: boolean): Ajv {
  // Bodies are strict (no coercion, unknown fields refused); path and query strings may coerce.
  const instance = new Ajv({ coerceTypes, useDefaults: true, removeAdditional: false, allErrors: false, strict: false });
  addFormats(instance);
  return instance;
}

const FASTIFY_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload_too_large', message: `request body exceeds ${BODY_LIMIT_BYTES} bytes` },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type', message: 'unsupported Content-Type' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'malformed_body', message: 'empty JSON body' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'malformed_body', message: 'body is not valid JSON' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'malformed_body', message: 'Content-Length does not match the body' },
};

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: BODY_LIMIT_BYTES,
    requestIdHeader: 'x-request-id',
    routerOptions: { maxParamLength: 200 },
  });
  const bodyAjv = ajv(false);
  const looseAjv = ajv(true);
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : looseAjv).compile(schema));
  app.addSchema(ErrorSchema);
  // JSON only (form-encoded notifications register their own parser): anything else is a 415
  app.removeContentTypeParser('text/plain');

  const metrics = createMetrics();
  const ingest = new IngestBatcher(options.pool);
  const ctx: AppContext = { pool: options.pool, apiKeys: options.apiKeys, idHashKey: options.idHashKey, metrics, platformPublicKey: options.platformPublicKey ?? null, ingest };
  // answer what is in flight before the pool closes
  app.addHook('onClose', async () => ingest.drain());

  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof ApiError) return reply.code(error.statusCode).send(errorBody(error.code, error.message, error.field));
    const err = error as Error & { validation?: unknown[]; validationContext?: string; code?: string; statusCode?: number };
    if (err.validation && err.validation.length > 0) {
      const described = describeValidationError(err.validationContext ?? 'body', err.validation[0] as never);
      return reply.code(400).send(errorBody(described.code, described.message, described.field));
    }
    const known = err.code ? FASTIFY_ERRORS[err.code] : undefined;
    if (known) return reply.code(known.status).send(errorBody(known.code, known.message));
    if (err instanceof SyntaxError || (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500)) {
      return reply.code(err.statusCode ?? 400).send(errorBody('bad_request', err.message));
    }
    request.log.error({ err }, 'unhandled error');
    return reply.code(500).send(errorBody('internal_error', 'internal error; the request id is in the x-request-id header'));
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send(errorBody('route_not_found', `no route ${request.method} ${request.url.split('?')[0]}`)));
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', request.id);
    return payload;
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Carepoints API', version: '0.1.0', description: 'Collect more, be covered more: merchants, points ledger, payments, claims.' },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'API key (role ops or platform)' } } },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.get('/healthz', { schema: { tags: ['operations'], summary: 'The process is alive', response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } } }, async () => ({ status: 'ok' }));
  app.get(
    '/readyz',
    { schema: { tags: ['operations'], summary: 'The database answers', response: { 200: { type: 'object', properties: { status: { type: 'string' } } }, ...{ '5xx': { $ref: 'Error#' } } } } },
    async (_request, reply) => {
      try {
        await ctx.pool.query('SELECT 1');
        return { status: 'ready' };
      } catch {
        return reply.code(503).send(errorBody('database_unavailable', 'the database does not answer'));
      }
    },
  );
  app.get('/metrics', { schema: { tags: ['operations'], summary: 'Prometheus metrics', hide: false } }, async (_request, reply) => {
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  await app.register(merchantRoutes, ctx);
  await app.register(ledgerRoutes, ctx);
  await app.register(paymentRoutes, ctx);
  return app;
}
