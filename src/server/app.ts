import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { KeyObject } from 'node:crypto';
import type pg from 'pg';
import { isDatabaseUnavailable } from '../db/database.ts';
import type { FileStore } from '../storage/index.ts';
import { authenticate, authRoutes, createAuthSettings, DevSmsProvider, SmsDispatcher, staffRoutes, type AuthLimits, type SmsProvider, createEventStreams, type EventStreamSettings } from '../auth/index.ts';
import { auditRoutes } from '../audits/index.ts';
import { budgetRoutes } from '../budgets/index.ts';
import { catalogueRoutes } from '../catalogue/index.ts';
import { ClaimWatch, claimRoutes, claimRulesetRoutes } from '../claims/index.ts';
import type { ApiRole } from '../config/config.ts';
import { ledgerRoutes } from '../ledger/routes.ts';
import { meRoutes, merchantIdsByPhone, merchantRoutes } from '../merchants/index.ts';
import { notificationRoutes, notificationWatch } from '../notifications/index.ts';
import { hospitalRoutes } from '../hospitals/index.ts';
import { opsRoutes } from '../ops/index.ts';
import { payoutRoutes } from '../payouts/routes.ts';
import { IngestBatcher } from '../payments/batcher.ts';
import type { NotificationSink } from '../payments/sink.ts';
import { paymentRoutes } from '../payments/routes.ts';
import { pointsRoutes } from '../points/routes.ts';
import { reportRoutes } from '../reports/index.ts';
import type { AppContext } from '../http/context.ts';
import { ApiError, ErrorSchema, errorBody } from '../http/errors.ts';
import { createMetrics } from '../http/metrics.ts';
import { clientErrorHandler, fastifyRefusal, frameworkErrors, MAX_PARAM_CHARS } from '../http/fastify-errors.ts';
import { refuseUnstorableText } from '../http/unstorable-text.ts';
import { describeValidationError } from '../http/validation.ts';
import { DEFAULT_WEB_DIST, webRoutes } from '../http/web.ts';
import { parseInstant } from '../shared/date-time.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export const BODY_LIMIT_BYTES = 4 * 1024 * 1024;
/** What a 503 for a database outage tells clients to wait: a restart with crash recovery takes about that. */
const RETRY_AFTER_S = 2;

export interface AppOptions {
  pool: pg.Pool;
  apiKeys: ReadonlyMap<string, ApiRole>;
  idHashKey: string;
  platformPublicKey?: KeyObject | null;
  /** The app id the platform's notifications must carry; none = any. */
  platformAppId?: string | null;
  /** A pino logger; none = silent (tests). */
  logger?: FastifyBaseLogger;
  /** Register development-only routes (GET /v1/dev/otp): tests and `npm start` in development. Default false. */
  devEndpoints?: boolean;
  /** Sends sign-in codes; default: the development provider (the log; with devEndpoints also the dev_sms_outbox table). */
  smsProvider?: SmsProvider;
  /** Always mark the session cookie Secure (production); otherwise only on https requests. Default false. */
  secureCookies?: boolean;
  /** The clock; default the system's. */
  now?: () => Date;
  /** Sign-in rate limits (defaults in src/auth/settings.ts). */
  authLimits?: Partial<AuthLimits>;
  /** Where claim photos and PDFs are stored; without it the claims routes are not served. */
  files?: FileStore;
  /** The built web apps (src/http/web-build.ts); default web/dist. Without a build, / is a page leading to the API docs. */
  webDist?: string;
  /**
   * The proxies (addresses or CIDR ranges) whose X-Forwarded-For is believed: the client address
   * (rate limits, audit) is then the first one not among them. None: the socket's peer.
   */
  trustedProxies?: readonly string[];
  /** Time a whole request (headers and body) may take to arrive; default REQUEST_TIMEOUT_SECONDS. */
  requestTimeoutSeconds?: number;
  /** Event streams' limit per principal and heartbeat (defaults in src/auth/event-streams.ts); tests shorten the heartbeat. */
  eventStreams?: Partial<EventStreamSettings>;
  /** Where webhook notifications go; default: group commit in this process (IngestBatcher). The caller closes one it gives. */
  notificationSink?: NotificationSink;
}

/**
 * A request must arrive whole within this: a body trickled a byte at a time no longer holds a socket
 * (408 request_timeout). Generous for a 15 MiB photo on a slow mobile link; streams are not requests.
 */
export const REQUEST_TIMEOUT_SECONDS = 120;

function ajv(coerceTypes: boolean): Ajv {
  // Bodies are strict (no coercion, unknown fields refused); path and query strings may coerce.
  const instance = new Ajv({ coerceTypes, useDefaults: true, removeAdditional: false, allErrors: false, strict: false });
  addFormats(instance);
  // stricter than RFC 3339 alone: a real day in a plausible range, no leap second (see src/shared/date-time.ts)
  instance.addFormat('date-time', { type: 'string', validate: (text: string) => parseInstant(text) !== null });
  return instance;
}

/** The connections the API's live channels (merchant notifications, claim events) hold for good. */
export const LIVE_CHANNEL_CONNECTIONS = 2;

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const requestTimeoutMs = (options.requestTimeoutSeconds ?? REQUEST_TIMEOUT_SECONDS) * 1000;
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: BODY_LIMIT_BYTES,
    requestIdHeader: 'x-request-id',
    trustProxy: options.trustedProxies?.length ? [...options.trustedProxies] : false,
    requestTimeout: requestTimeoutMs,
    // how often Node looks for requests past their time (its default, 30 s, would stretch the bound);
    // Node enforces the request's time only with the headers' time no longer than it (60 s at most)
    http: { connectionsCheckingInterval: 1_000, headersTimeout: Math.min(60_000, requestTimeoutMs) },
    routerOptions: { maxParamLength: MAX_PARAM_CHARS },
    frameworkErrors,
    clientErrorHandler,
  });
  const bodyAjv = ajv(false);
  const looseAjv = ajv(true);
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : looseAjv).compile(schema));
  app.addSchema(ErrorSchema);
  // JSON only (form-encoded notifications register their own parser): anything else is a 415
  app.removeContentTypeParser('text/plain');

  const metrics = createMetrics(options.pool);
  const ingest = options.notificationSink ?? new IngestBatcher(options.pool);
  const auth = createAuthSettings({
    secret: options.idHashKey,
    sms: new SmsDispatcher(options.smsProvider ?? new DevSmsProvider(options.pool, app.log, { outbox: options.devEndpoints ?? false }), app.log),
    secureCookies: options.secureCookies ?? false,
    ...(options.authLimits ? { limits: options.authLimits } : {}),
    merchantIdsByPhone,
  });
  const ctx: AppContext = {
    pool: options.pool,
    apiKeys: options.apiKeys,
    idHashKey: options.idHashKey,
    metrics,
    platformPublicKey: options.platformPublicKey ?? null,
    platformAppId: options.platformAppId ?? null,
    ingest,
    now: options.now ?? (() => new Date()),
    auth,
    devEndpoints: options.devEndpoints ?? false,
    eventStreams: createEventStreams(options.eventStreams),
  };
  // answer what is in flight before the pool closes
  app.addHook('onClose', async () => ingest.drain());

  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof ApiError) {
      if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
      return reply.code(error.statusCode).send(errorBody(error.code, error.message, error.field));
    }
    const err = error as Error & { validation?: unknown[]; validationContext?: string; code?: string; statusCode?: number };
    if (err.validation && err.validation.length > 0) {
      const described = describeValidationError(err.validationContext ?? 'body', err.validation[0] as never);
      return reply.code(400).send(errorBody(described.code, described.message, described.field));
    }
    const known = fastifyRefusal(err as FastifyError, request);
    if (known) return reply.code(known.status).send(known.body);
    if (err instanceof SyntaxError || (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500)) {
      return reply.code(err.statusCode ?? 400).send(errorBody('bad_request', err.message));
    }
    if (isDatabaseUnavailable(err)) {
      // not a bug of ours: the database is down or restarting; the client's retry will find it back
      request.log.warn({ err }, 'database unavailable');
      return reply.code(503).header('retry-after', String(RETRY_AFTER_S)).send(errorBody('database_unavailable', 'the database is unavailable; retry shortly'));
    }
    request.log.error({ err }, 'unhandled error');
    return reply.code(500).send(errorBody('internal_error', 'internal error; the request id is in the x-request-id header'));
  });
  app.addHook('preValidation', refuseUnstorableText);
  app.setNotFoundHandler((request, reply) => reply.code(404).send(errorBody('route_not_found', `no route ${request.method} ${request.url.split('?')[0]}`)));
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', request.id);
    // everywhere: no answer is sniffed into another type, framed by another site, or leaks its URL onward
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    return payload;
  });
  // the console's cookie is read by the operations pages' credential check below
  await app.register(cookie);
  // what the process and its API look like inside is for operators: an ops key or an admin's console session
  const operators = authenticate(ctx, { staffRoles: ['ops'], consoleRoles: ['admin'] });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Carepoints API', version: '0.1.0', description: 'Collect more, be covered more: merchants, points ledger, payments, claims.' },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'API key (role ops, platform or reviewer) or a merchant session token' },
          sessionCookie: { type: 'apiKey', in: 'cookie', name: 'cp_session', description: 'Merchant browser session (send X-CSRF-Token on POST, PUT, PATCH and DELETE)' },
          staffCookie: { type: 'apiKey', in: 'cookie', name: 'cp_staff', description: 'Console session (send X-CSRF-Token on POST, PUT, PATCH and DELETE, and X-Carepoints-App: console)' },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiHooks: { onRequest: operators } });

  app.get('/healthz', { schema: { tags: ['operations'], summary: 'The process is alive', response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } } }, async () => ({ status: 'ok' }));
  app.get(
    '/readyz',
    { schema: { tags: ['operations'], summary: 'The database answers', response: { 200: { type: 'object', properties: { status: { type: 'string' } } }, ...{ '5xx': { $ref: 'Error#' } } } } },
    async (_request, reply) => {
      try {
        await ctx.pool.query('SELECT 1');
        return { status: 'ready' };
      } catch {
        return reply.code(503).header('retry-after', String(RETRY_AFTER_S)).send(errorBody('database_unavailable', 'the database does not answer'));
      }
    },
  );
  app.get('/metrics', { onRequest: operators, schema: { tags: ['operations'], summary: 'Prometheus metrics (an ops key or an admin console session)', hide: false } }, async (_request, reply) => {
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  await app.register(webRoutes, { dist: options.webDist ?? DEFAULT_WEB_DIST });
  // every capability's routes, given the request context
  for (const routes of [authRoutes, staffRoutes, pointsRoutes, reportRoutes, merchantRoutes, meRoutes, ledgerRoutes, paymentRoutes, catalogueRoutes, hospitalRoutes, payoutRoutes, opsRoutes, auditRoutes, claimRulesetRoutes, budgetRoutes]) {
    await app.register(routes, ctx);
  }
  // each live channel holds a LISTEN connection of the pool once a stream opens: LIVE_CHANNEL_CONNECTIONS
  const notices = notificationWatch(options.pool);
  app.addHook('onClose', async () => notices.close());
  await app.register(notificationRoutes, { ...ctx, watch: notices });
  if (options.files) {
    const watch = new ClaimWatch(options.pool);
    app.addHook('onClose', async () => watch.close());
    await app.register(claimRoutes, { ...ctx, files: options.files, watch });
  }
  return app;
}
