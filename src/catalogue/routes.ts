import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { actorOf, authenticate, merchantScope, recordAudit, bearerSecurity } from '../auth/index.ts';
import { inTransaction } from '../db/transaction.ts';
import { ERROR_RESPONSES, type AppContext } from '../http/context.ts';
import { decodeTimeCursor, encodeTimeCursor } from '../http/cursor.ts';
import { pageOf } from '../http/list.ts';
import { ApiError } from '../http/errors.ts';
import { runIdempotent } from '../http/idempotency.ts';
import { changeCredit, type CreditChange } from '../points/index.ts';
import { MerchantIdParams } from '../http/schemas.ts';
import { ItemChangeSchema, ItemIdParams, ItemSchema, itemJson, NewItemSchema, NewOrderSchema, OrderListQuery, OrderParams, OrderSchema, orderJson } from './schema.ts';
import { addItem, getOrder, listItems, listOrders, placeOrder, SkuTaken, updateItem, type OrderRefusal } from './store.ts';

const ownerSecurity = [...bearerSecurity, { sessionCookie: [] }];
const staffSecurity = [...bearerSecurity, { staffCookie: [] }];

function refusal(r: OrderRefusal, merchantId: string, itemId: string): ApiError {
  switch (r.refused) {
    case 'merchant_not_found':
      return new ApiError(404, 'merchant_not_found', `no merchant ${merchantId}`, 'id');
    case 'item_not_found':
      return new ApiError(404, 'item_not_found', `no catalogue item ${itemId}`, 'itemId');
    case 'item_unavailable':
      return new ApiError(409, 'item_unavailable', `catalogue item ${itemId} is no longer offered`, 'itemId');
    case 'insufficient_credit':
      return new ApiError(422, 'insufficient_credit', `this order needs ${r.neededFen} fen of credit; ${r.availableFen} fen are available`, 'quantity');
  }
}

/** The catalogue: items (staff manage them, audited) and merchants' orders, which spend credit at once. */
export const catalogueRoutes: FastifyPluginAsync<AppContext> = async (fastify, ctx) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const admins = authenticate(ctx, { staffRoles: ['ops'] });
  const anyone = authenticate(ctx, { merchant: true, staffRoles: ['ops', 'platform'], consoleRoles: ['admin', 'analyst'] });
  const staffOrOwner = authenticate(ctx, { merchant: true, staffRoles: ['ops'] });

  app.get(
    '/v1/catalogue/items',
    {
      onRequest: anyone,
      schema: {
        tags: ['catalogue'],
        summary: 'Catalogue items, cheapest first',
        description: 'Merchants see the items on offer; staff may add includeInactive=true. The catalogue is a short reference list, returned whole.',
        security: [...ownerSecurity, { staffCookie: [] }],
        querystring: Type.Object({ includeInactive: Type.Optional(Type.Boolean({ default: false })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ object: Type.Literal('list'), data: Type.Array(ItemSchema) }), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const includeInactive = request.principal!.kind === 'staff' && (request.query.includeInactive ?? false);
      return { object: 'list' as const, data: (await listItems(ctx.pool, { includeInactive })).map(itemJson) };
    },
  );

  app.post(
    '/v1/catalogue/items',
    {
      onRequest: admins,
      schema: {
        tags: ['catalogue'],
        summary: 'Add a catalogue item (audited)',
        description: 'Accepts an Idempotency-Key header.',
        security: staffSecurity,
        body: NewItemSchema,
        response: { 201: ItemSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const body = request.body;
      try {
        const outcome = await runIdempotent(ctx.pool, request, async (client) => {
          const item = await addItem(client, { descriptionZh: '', descriptionEn: '', active: true, ...body });
          await recordAudit(client, { ...actorOf(request), action: 'catalogue.add_item', subjectKind: 'catalogue_item', subjectId: item.itemId, details: { after: itemJson(item) } });
          return { statusCode: 201, body: itemJson(item) };
        });
        if (outcome.replayed) reply.header('idempotent-replayed', 'true');
        return reply.code(outcome.statusCode).send(outcome.body);
      } catch (err) {
        if (err instanceof SkuTaken) throw new ApiError(409, 'sku_taken', `an item with sku ${body.sku} exists`, 'sku');
        throw err;
      }
    },
  );

  app.patch(
    '/v1/catalogue/items/:itemId',
    {
      onRequest: admins,
      schema: {
        tags: ['catalogue'],
        summary: 'Change a catalogue item: names, descriptions, price, whether it is offered (audited)',
        description: 'Orders already placed keep the price and names they were placed at.',
        security: staffSecurity,
        params: ItemIdParams,
        body: ItemChangeSchema,
        response: { 200: ItemSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { itemId } = request.params;
      try {
        return await inTransaction(ctx.pool, async (client) => {
          const changed = await updateItem(client, Number(itemId), request.body);
          if (!changed) throw new ApiError(404, 'item_not_found', `no catalogue item ${itemId}`, 'itemId');
          await recordAudit(client, { ...actorOf(request), action: 'catalogue.change_item', subjectKind: 'catalogue_item', subjectId: itemId, details: { before: itemJson(changed.before), after: itemJson(changed.after) } });
          return itemJson(changed.after);
        });
      } catch (err) {
        if (err instanceof SkuTaken) throw new ApiError(409, 'sku_taken', `an item with sku ${request.body.sku} exists`, 'sku');
        throw err;
      }
    },
  );

  app.post(
    '/v1/merchants/:id/catalogue-orders',
    {
      onRequest: staffOrOwner,
      schema: {
        tags: ['catalogue'],
        summary: 'Spend credit on a catalogue item',
        description:
          'Spends quantity × price of available credit at once (claims in flight keep what they reserved), drawing credit lots oldest first. 422 insufficient_credit when the credit is short, 409 item_unavailable for an item no longer offered. Accepts an Idempotency-Key header; a merchant session orders only for itself (with the cookie: X-CSRF-Token).',
        security: ownerSecurity,
        params: MerchantIdParams,
        body: NewOrderSchema,
        response: { 201: OrderSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const merchantId = Number(request.params.id);
      merchantScope(request, merchantId, { id: request.params.id });
      const { itemId, quantity = 1 } = request.body;
      // the order, its spend and the key's answer in one credit change (the merchant's lock, the ledger's retries)
      const outcome = await runIdempotent<ReturnType<typeof orderJson>, CreditChange>(
        ctx.pool,
        request,
        async (client, change) => {
          const placed = await placeOrder(change, { merchantId, itemId: Number(itemId), quantity, now: ctx.now() });
          if ('refused' in placed) throw refusal(placed, request.params.id, itemId);
          await recordAudit(client, { ...actorOf(request), action: 'catalogue.order', subjectKind: 'catalogue_order', subjectId: placed.orderId, details: { merchantId, itemId, quantity, amountFen: placed.amountFen } });
          return { statusCode: 201, body: orderJson(placed) };
        },
        {},
        (work) => changeCredit(ctx.pool, work),
      );
      if (outcome.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(outcome.statusCode).send(outcome.body);
    },
  );

  app.get(
    '/v1/merchants/:id/catalogue-orders',
    {
      onRequest: staffOrOwner,
      schema: {
        tags: ['catalogue'],
        summary: "A merchant's catalogue orders, newest first",
        description: 'Cursor pagination: pass nextCursor back as cursor.',
        security: ownerSecurity,
        params: MerchantIdParams,
        querystring: OrderListQuery,
        response: { 200: Type.Object({ object: Type.Literal('list'), data: Type.Array(OrderSchema), hasMore: Type.Boolean(), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const merchantId = Number(request.params.id);
      merchantScope(request, merchantId, { id: request.params.id });
      const limit = request.query.limit ?? 20;
      const rows = await listOrders(ctx.pool, merchantId, decodeTimeCursor(request.query.cursor), limit + 1);
      const { page, ...more } = pageOf(rows, limit, (last) => encodeTimeCursor(last.createdAt, last.orderId));
      return { object: 'list' as const, data: page.map(orderJson), ...more };
    },
  );

  app.get(
    '/v1/merchants/:id/catalogue-orders/:orderId',
    {
      onRequest: staffOrOwner,
      schema: { tags: ['catalogue'], summary: 'One catalogue order', security: ownerSecurity, params: OrderParams, response: { 200: OrderSchema, ...ERROR_RESPONSES } },
    },
    async (request) => {
      const merchantId = Number(request.params.id);
      merchantScope(request, merchantId, { thing: 'order', id: request.params.orderId, field: 'orderId' });
      const order = await getOrder(ctx.pool, merchantId, request.params.orderId);
      if (!order) throw new ApiError(404, 'order_not_found', `no order ${request.params.orderId}`, 'orderId');
      return orderJson(order);
    },
  );
};
