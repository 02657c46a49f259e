import type pg from 'pg';
import { merchantAccounts } from '../../src/ledger/index.ts';
import { residentIdCheckChar } from '../../src/merchants/resident-id.ts';
import { importEnrolments } from '../../src/merchants/store.ts';
import type { EnrolmentInput } from '../../src/merchants/types.ts';

export const TEST_ID_HASH_KEY = 'test-id-hash-key-0123456789abcdef0123456789';

/** A valid resident ID number, distinct for each n. */
export function residentId(n: number): string {
  const region = String(110101 + (n % 400)).padStart(6, '0');
  const birth = `19${String(50 + (n % 50)).padStart(2, '0')}${String(1 + (n % 12)).padStart(2, '0')}${String(1 + (n % 28)).padStart(2, '0')}`;
  const sequence = String(Math.floor(n / 400) % 1000).padStart(3, '0');
  const first17 = region + birth + sequence;
  return first17 + residentIdCheckChar(first17);
}

export function enrolment(n: number, overrides: Partial<EnrolmentInput> = {}): EnrolmentInput {
  return {
    walletUserId: `2088${String(n).padStart(12, '0')}`,
    legalName: `商户${n}`,
    idNumber: residentId(n),
    phone: `138${String(n % 100_000_000).padStart(8, '0')}`,
    city: '杭州',
    enrolledAt: '2026-01-01T08:00:00+08:00',
    ...overrides,
  };
}

export interface TestMerchant {
  id: number;
  walletUserId: string;
  pending: number;
  available: number;
  debt: number;
}

/** Enrols merchants `from`..`from+count-1` and returns their account ids. */
export async function enrolMerchants(pool: pg.Pool, count: number, from = 1): Promise<TestMerchant[]> {
  const rows = Array.from({ length: count }, (_, i) => ({ line: i + 2, input: enrolment(from + i) }));
  const outcome = await importEnrolments(pool, rows, TEST_ID_HASH_KEY, { skipDuplicates: false });
  if (outcome.imported !== count) throw new Error(`enrolled ${outcome.imported} of ${count}`);
  const { rows: ids } = await pool.query<{ merchant_id: number; wallet_user_id: string }>(
    'SELECT merchant_id, wallet_user_id FROM merchant_wallets WHERE wallet_user_id = ANY($1) ORDER BY merchant_id',
    [rows.map((r) => r.input.walletUserId)],
  );
  return Promise.all(
    ids.map(async ({ merchant_id, wallet_user_id }) => {
      const accounts = (await merchantAccounts(pool, merchant_id))!;
      return { id: merchant_id, walletUserId: wallet_user_id, pending: accounts.merchant_pending.id, available: accounts.merchant_available.id, debt: accounts.merchant_debt.id };
    }),
  );
}
