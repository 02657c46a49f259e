import type { FastifyPluginAsync } from 'fastify';
import formbody from '@fastify/formbody';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ERROR_RESPONSES, type AppContext } from '../http/context.ts';
import { ApiError } from '../http/errors.ts';
import { IngestBusyError, IngestUnavailableError } from './sink.ts';
import { reportParked } from './isolate.ts';
import { parseNotification } from './notification.ts';
import { verifyRsa2 } from '../shared/rsa2.ts';

/** A notification is a few hundred bytes; 64 KiB leaves room for every optional field. */
export const WEBHOOK_BODY_LIMIT_BYTES = 64 * 1024;
/** The only signature the platform's notifications use (SHA256withRSA); RSA (SHA1) and others are refused. */
const SIGN_TYPE = 'RSA2';
/** A refused notification comes back after this; the platform also retries on its own schedule. */
const INGEST_RETRY_AFTER_SECONDS = 5;

const NotificationFields = Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 4096 }), { maxProperties: 64 });

/**
 * The platform's asynchronous notification. Registered in a context of its own: it alone parses
 * form-encoded bodies, and it parses nothing else (a signed JSON body is not what the platform sends).
 */
export const notificationWebhook: FastifyPluginAsync<AppContext> = async (fastify, ctx) => {
  fastify.removeContentTypeParser('application/json');
  await fastify.register(formbody, { bodyLimit: WEBHOOK_BODY_LIMIT_BYTES });
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/v1/notify/payment',
    {
      bodyLimit: WEBHOOK_BODY_LIMIT_BYTES,
      schema: {
        tags: ['payments'],
        summary: "The payment platform's asynchronous notification (form-encoded, RSA2-signed)",
        description:
          'Answers the plain text `success` once the notification is durable: applied, or (with CAREPOINTS_NATS_URL) held by the payments stream for the consumers to apply; anything else makes the platform retry. A repeated notification has no second effect. Only `application/x-www-form-urlencoded` bodies up to 64 KiB, `sign_type` RSA2, and (when configured) our `app_id`.',
        consumes: ['application/x-www-form-urlencoded'],
        body: NotificationFields,
        response: { 200: Type.String(), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      if (!ctx.platformPublicKey) throw new ApiError(503, 'webhook_not_configured', 'no platform public key is configured (CAREPOINTS_PLATFORM_PUBLIC_KEY)');
      const fields = request.body;
      if (!fields.sign) throw new ApiError(400, 'missing_signature', 'the notification carries no sign field', 'sign');
      if (fields.sign_type === undefined) throw new ApiError(400, 'missing_field', `the notification carries no sign_type (expected ${SIGN_TYPE})`, 'sign_type');
      if (fields.sign_type !== SIGN_TYPE) throw new ApiError(400, 'unsupported_sign_type', `sign_type must be ${SIGN_TYPE}`, 'sign_type');
      if (!verifyRsa2(fields, ctx.platformPublicKey)) {
        request.log.warn({ tradeNo: fields.trade_no, notifyId: fields.notify_id }, 'payment notification with a bad signature refused');
        throw new ApiError(400, 'invalid_signature', 'the RSA2 signature does not verify with the platform public key', 'sign');
      }
      // signed by the platform, but for another app of ours or someone else's: not a payment to this programme
      if (ctx.platformAppId !== null && fields.app_id !== ctx.platformAppId) {
        request.log.warn({ tradeNo: fields.trade_no, appId: fields.app_id }, 'payment notification for another app refused');
        throw new ApiError(400, 'wrong_app_id', 'app_id is not the app this programme is configured for (CAREPOINTS_PLATFORM_APP_ID)', 'app_id');
      }
      const parsed = parseNotification(fields, ctx.now());
      if (!parsed.ok) throw new ApiError(400, parsed.code, parsed.message, parsed.field);
      const result = await ctx.ingest.submit(parsed.notification, fields).catch((err: unknown) => {
        if (err instanceof IngestBusyError) throw new ApiError(503, 'ingest_busy', `${err.message}; retry in ${INGEST_RETRY_AFTER_SECONDS} s`, undefined, INGEST_RETRY_AFTER_SECONDS);
        if (err instanceof IngestUnavailableError) throw new ApiError(503, 'ingest_unavailable', `${err.message}; retry in ${INGEST_RETRY_AFTER_SECONDS} s`, undefined, INGEST_RETRY_AFTER_SECONDS);
        throw err;
      });
      // relayed: the consumer that applies it reports a notification it parks
      if (result) await reportParked(ctx.pool, request.log, [result], 'webhook');
      return reply.type('text/plain').send('success');
    },
  );
};
