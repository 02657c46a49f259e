/**
 * The catalogue's rows: items (reference data, edited by staff) and merchants' orders. An order and
 * the spend of its credit commit together: `placeOrder` runs in the caller's transaction.
 */
import type { TimeKey } from '../http/cursor.ts';
import { violates } from '../db/errors.ts';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { transferIdFor } from '../ledger/index.ts';
import { InsufficientCredit, spendCreditNow, type CreditChange } from '../points/index.ts';
import { onlyRow } from '../shared/assert.ts';

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

export interface ItemFields {
  sku: string;
  nameZh: string;
  nameEn: string;
  descriptionZh: string;
  descriptionEn: string;
  priceFen: number;
  active: boolean;
}

export interface CatalogueItem extends ItemFields {
  itemId: number;
  updatedAt: Date;
}

export interface CatalogueOrder {
  merchantId: number;
  orderId: string;
  itemId: number;
  quantity: number;
  unitPriceFen: number;
  amountFen: number;
  itemNameZh: string;
  itemNameEn: string;
  transferId: string;
  createdAt: Date;
}

/** Explicit limits: a catalogue is a short list, and an order page is one screen or a few. */
export const MAX_CATALOGUE_ITEMS = 500;
export const MAX_ORDERS_PAGE = 100;

const ITEM_COLUMNS = `item_id::int AS "itemId", sku, name_zh AS "nameZh", name_en AS "nameEn", description_zh AS "descriptionZh",
  description_en AS "descriptionEn", price_fen::int AS "priceFen", active, updated_at AS "updatedAt"`;
const ORDER_COLUMNS = `merchant_id::int AS "merchantId", order_id AS "orderId", item_id::int AS "itemId", quantity, unit_price_fen::int AS "unitPriceFen",
  amount_fen::int AS "amountFen", item_name_zh AS "itemNameZh", item_name_en AS "itemNameEn", transfer_id AS "transferId", created_at AS "createdAt"`;

export class SkuTaken extends Error {}

export async function listItems(db: Queryable, options: { includeInactive: boolean }): Promise<CatalogueItem[]> {
  const { rows } = await db.query<CatalogueItem>(`SELECT ${ITEM_COLUMNS} FROM catalogue_items WHERE active OR $1 ORDER BY price_fen, item_id LIMIT $2`, [options.includeInactive, MAX_CATALOGUE_ITEMS]);
  return rows;
}

export async function getItem(db: Queryable, itemId: number, options: { lock?: boolean } = {}): Promise<CatalogueItem | null> {
  const { rows } = await db.query<CatalogueItem>(`SELECT ${ITEM_COLUMNS} FROM catalogue_items WHERE item_id = $1${options.lock ? ' FOR SHARE' : ''}`, [itemId]);
  return rows[0] ?? null;
}

function skuTaken(err: unknown): never {
  if (violates(err, 'catalogue_items_sku_key')) throw new SkuTaken('an item with this sku exists');
  throw err;
}

export async function addItem(client: pg.PoolClient, fields: ItemFields): Promise<CatalogueItem> {
  const { rows } = await client
    .query<CatalogueItem>(
      `INSERT INTO catalogue_items (sku, name_zh, name_en, description_zh, description_en, price_fen, active)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${ITEM_COLUMNS}`,
      [fields.sku, fields.nameZh, fields.nameEn, fields.descriptionZh, fields.descriptionEn, fields.priceFen, fields.active],
    )
    .catch(skuTaken);
  return onlyRow(rows, 'the inserted catalogue item');
}

/** Changes the given fields; null when there is no such item. Returns the item before and after (for the audit). */
export async function updateItem(client: pg.PoolClient, itemId: number, change: Partial<ItemFields>): Promise<{ before: CatalogueItem; after: CatalogueItem } | null> {
  const before = await getItem(client, itemId, { lock: true });
  if (!before) return null;
  const next = { ...before, ...change };
  const { rows } = await client
    .query<CatalogueItem>(
      `UPDATE catalogue_items SET sku = $2, name_zh = $3, name_en = $4, description_zh = $5, description_en = $6, price_fen = $7, active = $8, updated_at = now()
        WHERE item_id = $1 RETURNING ${ITEM_COLUMNS}`,
      [itemId, next.sku, next.nameZh, next.nameEn, next.descriptionZh, next.descriptionEn, next.priceFen, next.active],
    )
    .catch(skuTaken);
  return { before, after: onlyRow(rows, `the changed catalogue item ${itemId}`) };
}

export type OrderRefusal = { refused: 'merchant_not_found' | 'item_not_found' | 'item_unavailable' } | { refused: 'insufficient_credit'; availableFen: number; neededFen: number };

/**
 * Places an order and spends its credit, in the caller's credit change: the merchant's lock first (it
 * serialises every change of the merchant's credit), then the item, then the spend.
 */
export async function placeOrder(change: CreditChange, order: { merchantId: number; itemId: number; quantity: number; now: Date }): Promise<CatalogueOrder | OrderRefusal> {
  const { client } = change;
  if (!(await change.lock([order.merchantId])).has(order.merchantId)) return { refused: 'merchant_not_found' };
  const item = await getItem(client, order.itemId, { lock: true });
  if (!item) return { refused: 'item_not_found' };
  if (!item.active) return { refused: 'item_unavailable' };
  const orderId = randomUUID();
  const transferId = transferIdFor('catalogue_order', order.merchantId, orderId);
  const amountFen = item.priceFen * order.quantity;
  try {
    await spendCreditNow(change, { merchantId: order.merchantId, transferId, amountFen, reference: `catalogue:${item.sku}` });
  } catch (err) {
    if (err instanceof InsufficientCredit) return { refused: 'insufficient_credit', availableFen: err.availableFen, neededFen: err.neededFen };
    throw err;
  }
  const { rows } = await client.query<CatalogueOrder>(
    `INSERT INTO catalogue_orders (merchant_id, order_id, item_id, quantity, unit_price_fen, amount_fen, item_name_zh, item_name_en, transfer_id, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${ORDER_COLUMNS}`,
    [order.merchantId, orderId, item.itemId, order.quantity, item.priceFen, amountFen, item.nameZh, item.nameEn, transferId, order.now],
  );
  return onlyRow(rows, `the inserted catalogue order ${orderId}`);
}

export async function getOrder(db: Queryable, merchantId: number, orderId: string): Promise<CatalogueOrder | null> {
  const { rows } = await db.query<CatalogueOrder>(`SELECT ${ORDER_COLUMNS} FROM catalogue_orders WHERE merchant_id = $1 AND order_id = $2`, [merchantId, orderId]);
  return rows[0] ?? null;
}

/** A merchant's orders, newest first, before the (createdAt, orderId) cursor. */
export async function listOrders(db: Queryable, merchantId: number, before: TimeKey | undefined, limit: number): Promise<CatalogueOrder[]> {
  const { rows } = await db.query<CatalogueOrder>(
    `SELECT ${ORDER_COLUMNS} FROM catalogue_orders
      WHERE merchant_id = $1 AND ($2::timestamptz IS NULL OR (created_at, order_id) < ($2, $3::uuid))
      ORDER BY created_at DESC, order_id DESC LIMIT $4`,
    [merchantId, before?.at ?? null, before?.id ?? null, Math.min(limit, MAX_ORDERS_PAGE + 1)],
  );
  return rows;
}
