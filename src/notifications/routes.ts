import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { authenticate, merchantScope, bearerSecurity, openEventStream } from '../auth/index.ts';
import type { ChannelWatch } from '../db/listen.ts';
import { ERROR_RESPONSES, type AppContext } from '../http/context.ts';
import { decodeCursor, encodeCursor } from '../http/cursor.ts';
import { pageOf } from '../http/list.ts';
import { ApiError } from '../http/errors.ts';
import { MerchantIdParams } from '../http/schemas.ts';
import { countUnread, getNotification, latestNotificationId, listNotifications, markRead, MAX_NOTIFICATIONS_PAGE, type MerchantNotification } from './store.ts';

export interface NotificationNotice {
  merchantId: number;
  notificationId: number;
}

export interface NotificationRouteOptions extends AppContext {
  watch: ChannelWatch<NotificationNotice, number>;
}

const ownerSecurity = [...bearerSecurity, { sessionCookie: [] }];
const NotificationId = Type.String({ pattern: '^[1-9][0-9]{0,15}$' });

const NotificationSchema = Type.Object({
  object: Type.Literal('notification'),
  id: Type.String(),
  merchantId: Type.String(),
  at: Type.String({ format: 'date-time' }),
  kind: Type.String({ description: 'claim_<status> (a claim changed), credit_expiring (within 30 days), credit_lapsing and credit_expiry_reminder (reminders before credit is lost), claim_audit_overpaid (an audit after payment found the claim overpaid: what is taken back, and why)' }),
  claimId: Type.Union([Type.String(), Type.Null()]),
  zh: Type.String(),
  en: Type.String(),
  amountFen: Type.Union([Type.Integer(), Type.Null()], { description: 'credit_expiring and the reminders: how much' }),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'credit_expiring and the reminders: when (for credit_lapsing: when the collection window ends)' }),
  readAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

function notificationJson(n: MerchantNotification) {
  return {
    object: 'notification' as const,
    id: String(n.notificationId),
    merchantId: String(n.merchantId),
    at: n.at.toISOString(),
    kind: n.kind,
    claimId: n.claimId,
    zh: n.zh,
    en: n.en,
    amountFen: n.amountFen,
    expiresAt: n.expiresAt?.toISOString() ?? null,
    readAt: n.readAt?.toISOString() ?? null,
  };
}

/** A merchant's notifications: the list, marking them read, and a live stream while the app is open. */
export const notificationRoutes: FastifyPluginAsync<NotificationRouteOptions> = async (fastify, ctx) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const staffOrOwner = authenticate(ctx, { merchant: true, staffRoles: ['ops'] });

  app.get(
    '/v1/merchants/:id/notifications',
    {
      onRequest: staffOrOwner,
      schema: {
        tags: ['notifications'],
        summary: "A merchant's notifications (claim status, expiring credit), newest first",
        description: 'Cursor pagination: pass nextCursor back as cursor. `unread` counts every unread notification.',
        security: ownerSecurity,
        params: MerchantIdParams,
        querystring: Type.Object(
          {
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_NOTIFICATIONS_PAGE, default: 20 })),
            cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' })),
            unreadOnly: Type.Optional(Type.Boolean({ default: false })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ object: Type.Literal('list'), data: Type.Array(NotificationSchema), hasMore: Type.Boolean(), nextCursor: Type.Union([Type.String(), Type.Null()]), unread: Type.Integer() }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const merchantId = Number(request.params.id);
      merchantScope(request, merchantId, { id: request.params.id });
      const limit = request.query.limit ?? 20;
      const [rows, unread] = await Promise.all([
        listNotifications(ctx.pool, merchantId, { beforeId: decodeCursor(request.query.cursor), unreadOnly: request.query.unreadOnly ?? false, limit: limit + 1 }),
        countUnread(ctx.pool, merchantId),
      ]);
      const { page, ...more } = pageOf(rows, limit, (last) => encodeCursor(last.notificationId));
      reply.header('cache-control', 'no-store');
      return { object: 'list' as const, data: page.map(notificationJson), ...more, unread };
    },
  );

  app.post(
    '/v1/merchants/:id/notifications::read',
    {
      onRequest: staffOrOwner,
      schema: {
        tags: ['notifications'],
        summary: 'Mark notifications read, up to and including one id (what the app has shown)',
        description: 'Repeating it changes nothing. A merchant session marks only its own (with the cookie: X-CSRF-Token).',
        security: ownerSecurity,
        params: MerchantIdParams,
        body: Type.Object({ upToId: NotificationId }, { additionalProperties: false }),
        response: { 200: Type.Object({ object: Type.Literal('notifications_read'), marked: Type.Integer(), unread: Type.Integer() }), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const merchantId = Number(request.params.id);
      merchantScope(request, merchantId, { id: request.params.id });
      const upToId = Number(request.body.upToId);
      if (!(await getNotification(ctx.pool, merchantId, upToId))) throw new ApiError(404, 'notification_not_found', `no notification ${request.body.upToId}`, 'upToId');
      const marked = await markRead(ctx.pool, merchantId, upToId, ctx.now());
      return { object: 'notifications_read' as const, marked, unread: await countUnread(ctx.pool, merchantId) };
    },
  );

  app.get(
    '/v1/merchants/:id/notifications/events',
    {
      onRequest: staffOrOwner,
      schema: {
        tags: ['notifications'],
        summary: 'New notifications, live (Server-Sent Events)',
        description:
          'text/event-stream: an event `notification` (id = the notification id) for each new notification while the stream is open. With Last-Event-ID (browsers send it on reconnect) the ones after that id are sent first.',
        security: ownerSecurity,
        params: MerchantIdParams,
        headers: Type.Object({ 'last-event-id': Type.Optional(NotificationId) }),
        response: { 200: { description: 'An event stream', content: { 'text/event-stream': { schema: Type.String() } } } },
      },
    },
    async (request, reply) => {
      const merchantId = Number(request.params.id);
      merchantScope(request, merchantId, { id: request.params.id });
      const lastEventId = request.headers['last-event-id'];
      let sentUpTo = lastEventId === undefined ? 0 : Number(lastEventId);
      const stream = openEventStream(ctx, request, reply);
      // one send at a time, each sending what is newer than the last one sent, so nothing goes twice or out of order
      let sending = Promise.resolve();
      const sendNew = () => {
        sending = sending.then(async () => {
          for (const n of stream.ended ? [] : await listNotifications(ctx.pool, merchantId, { afterId: sentUpTo, limit: MAX_NOTIFICATIONS_PAGE })) {
            stream.send('notification', notificationJson(n), n.notificationId);
            sentUpTo = n.notificationId;
          }
        });
        sending.catch(stream.end);
      };
      try {
        stream.onEnd(await ctx.watch.watch(merchantId, sendNew));
        // listening now: without Last-Event-ID the stream starts after what exists
        if (lastEventId === undefined) sentUpTo = await latestNotificationId(ctx.pool, merchantId);
        sendNew();
      } catch {
        stream.end();
      }
    },
  );
};
