import Type from 'typebox';
import type { CatalogueItem, CatalogueOrder } from './store.ts';
import { MAX_ORDERS_PAGE } from './store.ts';

const Text = (max: number, min = 1) => Type.String({ minLength: min, maxLength: max, ...(min > 0 ? { pattern: '^\\S(.*\\S)?$' } : {}) });

export const ItemFieldsSchema = {
  sku: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,39}$', description: 'A stable handle, lower-case letters, digits and dashes', examples: ['eye-exam'] }),
  nameZh: Text(60),
  nameEn: Text(60),
  descriptionZh: Type.String({ maxLength: 400 }),
  descriptionEn: Type.String({ maxLength: 400 }),
  priceFen: Type.Integer({ minimum: 1, maximum: 100_000, description: 'Price in fen of credit (at most the available cap)' }),
  active: Type.Boolean({ description: 'Offered to merchants' }),
};

export const NewItemSchema = Type.Object(
  { ...ItemFieldsSchema, descriptionZh: Type.Optional(ItemFieldsSchema.descriptionZh), descriptionEn: Type.Optional(ItemFieldsSchema.descriptionEn), active: Type.Optional(ItemFieldsSchema.active) },
  { additionalProperties: false },
);

export const ItemChangeSchema = Type.Partial(Type.Object(ItemFieldsSchema), { additionalProperties: false, minProperties: 1 });

export const ItemIdParams = Type.Object({ itemId: Type.String({ pattern: '^[1-9][0-9]{0,14}$', description: 'Catalogue item id' }) }, { additionalProperties: false });

export const OrderParams = Type.Object(
  { id: Type.String({ pattern: '^[1-9][0-9]{0,14}$', description: 'Merchant id' }), orderId: Type.String({ format: 'uuid', description: 'Order id' }) },
  { additionalProperties: false },
);

export const NewOrderSchema = Type.Object(
  { itemId: Type.String({ pattern: '^[1-9][0-9]{0,14}$' }), quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 10, default: 1 })) },
  { additionalProperties: false },
);

export const OrderListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_ORDERS_PAGE, default: 20 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' })),
  },
  { additionalProperties: false },
);

export const ItemSchema = Type.Object({
  object: Type.Literal('catalogue_item'),
  id: Type.String(),
  sku: Type.String(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  descriptionZh: Type.String(),
  descriptionEn: Type.String(),
  priceFen: Type.Integer(),
  active: Type.Boolean(),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const OrderSchema = Type.Object({
  object: Type.Literal('catalogue_order'),
  id: Type.String({ format: 'uuid' }),
  merchantId: Type.String(),
  itemId: Type.String(),
  itemNameZh: Type.String(),
  itemNameEn: Type.String(),
  quantity: Type.Integer(),
  unitPriceFen: Type.Integer(),
  amountFen: Type.Integer(),
  transferId: Type.String({ format: 'uuid', description: 'The ledger transfer that spent the credit' }),
  createdAt: Type.String({ format: 'date-time' }),
});

export function itemJson(i: CatalogueItem) {
  return {
    object: 'catalogue_item' as const,
    id: String(i.itemId),
    sku: i.sku,
    nameZh: i.nameZh,
    nameEn: i.nameEn,
    descriptionZh: i.descriptionZh,
    descriptionEn: i.descriptionEn,
    priceFen: i.priceFen,
    active: i.active,
    updatedAt: i.updatedAt.toISOString(),
  };
}

export function orderJson(o: CatalogueOrder) {
  return {
    object: 'catalogue_order' as const,
    id: o.orderId,
    merchantId: String(o.merchantId),
    itemId: String(o.itemId),
    itemNameZh: o.itemNameZh,
    itemNameEn: o.itemNameEn,
    quantity: o.quantity,
    unitPriceFen: o.unitPriceFen,
    amountFen: o.amountFen,
    transferId: o.transferId,
    createdAt: o.createdAt.toISOString(),
  };
}
