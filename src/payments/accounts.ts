import type pg from 'pg';
import { intArray } from '../db/arrays.ts';
import type { MerchantAccountKind } from '../ledger/index.ts';

/** Account ids of many merchants at once, by kind. */
export async function accountsOfMerchants(client: pg.PoolClient, merchantIds: readonly number[]): Promise<Map<number, Record<MerchantAccountKind, number>>> {
  const { rows } = await client.query<{ merchant_id: number; kind: MerchantAccountKind; account_id: number }>(
    'SELECT merchant_id, kind, account_id FROM ledger_accounts WHERE merchant_id = ANY($1::bigint[])',
    [intArray(merchantIds)],
  );
  const out = new Map<number, Record<MerchantAccountKind, number>>();
  for (const r of rows) {
    const entry = out.get(r.merchant_id) ?? ({} as Record<MerchantAccountKind, number>);
    entry[r.kind] = r.account_id;
    out.set(r.merchant_id, entry);
  }
  return out;
}
