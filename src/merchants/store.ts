import { intArray } from '../db/arrays.ts';
import { violates } from '../db/errors.ts';
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { openMerchantAccounts } from '../ledger/index.ts';
import { openMerchantAccrual } from '../points/index.ts';
import { onlyRow } from '../shared/assert.ts';
import { hashIdNumber } from './enrolment.ts';
import type { EnrolmentInput, Merchant } from './types.ts';

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/** The same resident ID or wallet enrolled twice. */
export class DuplicateMerchantError extends Error {
  constructor(readonly field: 'walletUserId' | 'idNumber') {
    super(field === 'walletUserId' ? 'a merchant with this walletUserId is already enrolled' : 'a merchant with this idNumber is already enrolled');
    this.name = 'DuplicateMerchantError';
  }
}

const DUPLICATE_FIELDS: Record<string, 'walletUserId' | 'idNumber'> = {
  merchant_wallets_pkey: 'walletUserId',
  merchant_identities_pkey: 'idNumber',
};

export interface MerchantRow {
  merchant_id: number;
  wallet_user_id: string;
  legal_name: string;
  id_number_hash: string;
  phone: string;
  city: string;
  enrolled_at: Date;
  created_at: Date;
}

export function merchantFromRow(r: MerchantRow): Merchant {
  return {
    id: r.merchant_id,
    walletUserId: r.wallet_user_id,
    legalName: r.legal_name,
    idNumberHash: r.id_number_hash,
    phone: r.phone,
    city: r.city,
    enrolledAt: r.enrolled_at,
    createdAt: r.created_at,
  };
}

/** The configured key, or the one this database generated for itself on first use. */
export async function resolveIdHashKey(db: Queryable, configured: string | null): Promise<string> {
  if (configured) return configured;
  await db.query("INSERT INTO programme_secrets (name, value) VALUES ('id_hash_key', $1) ON CONFLICT (name) DO NOTHING", [randomBytes(32).toString('hex')]);
  const { rows } = await db.query<{ value: string }>("SELECT value FROM programme_secrets WHERE name = 'id_hash_key'");
  return onlyRow(rows, 'the stored ID hash key').value;
}

/** Enrols one merchant and opens its ledger accounts; call inside a transaction. */
export async function enrolMerchant(client: pg.PoolClient, input: EnrolmentInput, idHashKey: string): Promise<Merchant> {
  await client.query('SAVEPOINT enrol');
  try {
    const { rows } = await client.query<MerchantRow>(
      `INSERT INTO merchants (wallet_user_id, legal_name, id_number_hash, phone, city, enrolled_at)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [input.walletUserId, input.legalName, hashIdNumber(input.idNumber, idHashKey), input.phone, input.city, input.enrolledAt],
    );
    const merchant = merchantFromRow(onlyRow(rows, 'the enrolled merchant'));
    await client.query('INSERT INTO merchant_wallets (wallet_user_id, merchant_id) VALUES ($1, $2)', [merchant.walletUserId, merchant.id]);
    await client.query('INSERT INTO merchant_identities (id_number_hash, merchant_id) VALUES ($1, $2)', [merchant.idNumberHash, merchant.id]);
    await openMerchantAccounts(client, [merchant.id]);
    await openMerchantAccrual(client, [merchant.id]);
    await client.query('RELEASE SAVEPOINT enrol');
    return merchant;
  } catch (err) {
    await client.query('ROLLBACK TO SAVEPOINT enrol');
    const field = Object.entries(DUPLICATE_FIELDS).find(([constraint]) => violates(err, constraint))?.[1];
    if ((err as { code?: string }).code === '23505' && field) throw new DuplicateMerchantError(field);
    throw err;
  }
}

export async function getMerchant(db: Queryable, id: number): Promise<Merchant | null> {
  const { rows } = await db.query<MerchantRow>('SELECT * FROM merchants WHERE merchant_id = $1', [id]);
  return rows[0] ? merchantFromRow(rows[0]) : null;
}

/** The merchants enrolled under a phone, oldest first (a person may enrol more than one shop). */
export async function merchantIdsByPhone(db: Queryable, phone: string): Promise<number[]> {
  const { rows } = await db.query<{ merchant_id: number }>('SELECT merchant_id FROM merchants WHERE phone = $1 ORDER BY merchant_id', [phone]);
  return rows.map((r) => r.merchant_id);
}

/** Each merchant's city, in one statement (a city's budget governs its merchants' accrual). */
export async function merchantCities(db: Queryable, merchantIds: readonly number[]): Promise<Map<number, string>> {
  if (merchantIds.length === 0) return new Map();
  const { rows } = await db.query<{ merchant_id: number; city: string }>('SELECT merchant_id, city FROM merchants WHERE merchant_id = ANY($1::bigint[])', [intArray(merchantIds)]);
  return new Map(rows.map((r) => [r.merchant_id, r.city]));
}

export interface ImportOutcome {
  imported: number;
  /** Rows whose wallet or resident ID is already enrolled (or repeated in the file), by CSV line. */
  duplicates: { line: number; field: 'walletUserId' | 'idNumber' }[];
}

const IMPORT_CHUNK = 5_000;

/**
 * Inserts validated enrolments in one transaction, chunked, opening every merchant's accounts.
 * With `skipDuplicates` false, any duplicate rolls the whole import back.
 */
export async function importEnrolments(
  pool: pg.Pool,
  rows: { line: number; input: EnrolmentInput }[],
  idHashKey: string,
  options: { skipDuplicates: boolean },
): Promise<ImportOutcome> {
  const duplicates: ImportOutcome['duplicates'] = [];
  const wallets = new Set<string>();
  const ids = new Set<string>();
  const unique = rows.filter((r) => {
    const id = r.input.idNumber.toUpperCase();
    const field = wallets.has(r.input.walletUserId) ? 'walletUserId' : ids.has(id) ? 'idNumber' : null;
    if (field) duplicates.push({ line: r.line, field });
    wallets.add(r.input.walletUserId);
    ids.add(id);
    return field === null;
  });
  const client = await pool.connect();
  let imported = 0;
  try {
    await client.query('BEGIN');
    for (let start = 0; start < unique.length; start += IMPORT_CHUNK) {
      const chunk = unique.slice(start, start + IMPORT_CHUNK).map((r) => ({ ...r.input, line: r.line, idNumberHash: hashIdNumber(r.input.idNumber, idHashKey) }));
      const claims = await claimWalletsAndIdentities(client, chunk);
      const inserted: ((typeof chunk)[number] & { merchantId: number })[] = [];
      chunk.forEach((r, i) => {
        const claim = claims[i]!;
        if ('refused' in claim) duplicates.push({ line: r.line, field: claim.refused });
        else inserted.push({ ...r, merchantId: claim.merchantId });
      });
      await client.query(
        `INSERT INTO merchants (merchant_id, wallet_user_id, legal_name, id_number_hash, phone, city, enrolled_at)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])`,
        [
          inserted.map((r) => r.merchantId),
          inserted.map((r) => r.walletUserId),
          inserted.map((r) => r.legalName),
          inserted.map((r) => r.idNumberHash),
          inserted.map((r) => r.phone),
          inserted.map((r) => r.city),
          inserted.map((r) => r.enrolledAt),
        ],
      );
      if (inserted.length) {
        await openMerchantAccounts(client, inserted.map((r) => r.merchantId));
        await openMerchantAccrual(client, inserted.map((r) => r.merchantId));
      }
      imported += inserted.length;
    }
    duplicates.sort((a, b) => a.line - b.line);
    if (duplicates.length && !options.skipDuplicates) {
      await client.query('ROLLBACK');
      return { imported: 0, duplicates };
    }
    await client.query('COMMIT');
    return { imported, duplicates };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/**
 * Takes a new merchant id for each row and claims its wallet, then its resident ID, in the global-key
 * tables. A row whose wallet or ID is enrolled already (or is being enrolled by a concurrent import,
 * which ON CONFLICT waits for) is refused with that field; a wallet claimed by a row whose ID is then
 * refused is given back.
 */
async function claimWalletsAndIdentities(
  client: pg.PoolClient,
  rows: readonly { walletUserId: string; idNumberHash: string }[],
): Promise<({ merchantId: number } | { refused: 'walletUserId' | 'idNumber' })[]> {
  const { rows: ids } = await client.query<{ id: number }>("SELECT nextval(pg_get_serial_sequence('merchants', 'merchant_id')) AS id FROM generate_series(1, $1)", [rows.length]);
  const candidates = rows.map((r, i) => ({ ...r, merchantId: ids[i]!.id }));
  const { rows: wallets } = await client.query<{ merchant_id: number }>(
    'INSERT INTO merchant_wallets (wallet_user_id, merchant_id) SELECT * FROM unnest($1::text[], $2::bigint[]) ON CONFLICT DO NOTHING RETURNING merchant_id',
    [candidates.map((r) => r.walletUserId), candidates.map((r) => r.merchantId)],
  );
  const walletHeld = new Set(wallets.map((r) => r.merchant_id));
  const withWallet = candidates.filter((r) => walletHeld.has(r.merchantId));
  const { rows: identities } = await client.query<{ merchant_id: number }>(
    'INSERT INTO merchant_identities (id_number_hash, merchant_id) SELECT * FROM unnest($1::text[], $2::bigint[]) ON CONFLICT DO NOTHING RETURNING merchant_id',
    [withWallet.map((r) => r.idNumberHash), withWallet.map((r) => r.merchantId)],
  );
  const enrolled = new Set(identities.map((r) => r.merchant_id));
  const givenBack = withWallet.filter((r) => !enrolled.has(r.merchantId)).map((r) => r.walletUserId);
  if (givenBack.length) await client.query('DELETE FROM merchant_wallets WHERE wallet_user_id = ANY($1::text[])', [givenBack]);
  return candidates.map((r) => (enrolled.has(r.merchantId) ? { merchantId: r.merchantId } : { refused: walletHeld.has(r.merchantId) ? 'idNumber' : 'walletUserId' }));
}
