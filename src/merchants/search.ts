import type pg from 'pg';
import { merchantFromRow, type MerchantRow } from './store.ts';
import type { Merchant } from './types.ts';

export const MAX_SEARCH_PAGE = 50;

/**
 * What a console search text means: a wallet user id, a phone number, a merchant id, or the start of
 * a legal name. Each is answered from an index.
 */
export function searchColumn(q: string): { column: 'wallet_user_id' | 'phone' | 'merchant_id' | 'legal_name'; value: string } {
  if (/^2088[0-9]{12}$/.test(q)) return { column: 'wallet_user_id', value: q };
  if (/^1[3-9][0-9]{9}$/.test(q)) return { column: 'phone', value: q };
  if (/^[1-9][0-9]{0,14}$/.test(q)) return { column: 'merchant_id', value: q };
  return { column: 'legal_name', value: q };
}

/** Merchants matching `q`, by id, after the `afterId` cursor. */
export async function searchMerchants(db: Pick<pg.Pool, 'query'>, q: string, afterId: number, limit: number): Promise<Merchant[]> {
  const { column, value } = searchColumn(q);
  const where =
    column === 'legal_name'
      ? "legal_name LIKE replace(replace(replace($1, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'"
      : column === 'merchant_id'
        ? 'merchant_id = $1::bigint'
        : column === 'wallet_user_id'
          ? 'merchant_id IN (SELECT merchant_id FROM merchant_wallets WHERE wallet_user_id = $1)'
          : 'phone = $1';
  const { rows } = await db.query<MerchantRow>(`SELECT * FROM merchants WHERE ${where} AND merchant_id > $2 ORDER BY merchant_id LIMIT $3`, [value, afterId, Math.min(limit, MAX_SEARCH_PAGE + 1)]);
  return rows.map(merchantFromRow);
}
