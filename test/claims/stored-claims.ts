/**
 * Claims put straight into the database in a chosen state, with hand-built readings: what the review
 * desk sees after the machine sent a claim to a person, without running OCR.
 */
import { createHash, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { inTransaction } from '../../src/db/transaction.ts';
import { insertClaim, transitionClaim, type ClaimStatus } from '../../src/claims/store.ts';
import type { Invoice } from '../../src/recognition/types.ts';
import { businessDay } from '../../src/shared/business-day.ts';
import { earnAndCollect } from '../support/credit.ts';
import { importEnrolments } from '../../src/merchants/store.ts';
import { enrolMerchants, enrolment, TEST_ID_HASH_KEY } from '../support/fixtures.ts';
import { invoice, ocr, page } from './support.ts';

const DAY_MS = 86_400_000;

/** A grade-3A public general hospital of seed/hospitals.csv (the registry the app loads). */
export const REGISTRY_GENERAL = { id: 'H110001', name: '北京协和医院' } as const;

/** The Shanghai day `days` before now: visits are dated relative to the clock, never to a fixed day. */
export const daysAgo = (days: number): string => businessDay(new Date(Date.now() - days * DAY_MS));

export interface StoredMerchant {
  id: number;
  walletUserId: string;
  legalName: string;
}

/** Merchant n, with `payers` × 200 fen + the 200 fen welcome credit collected 40 days ago. */
export async function merchantWithCredit(pool: pg.Pool, n: number, payers = 5): Promise<StoredMerchant> {
  const [m] = await enrolMerchants(pool, 1, n);
  await earnAndCollect(pool, { id: m!.id, walletUserId: m!.walletUserId }, payers, new Date(Date.now() - 40 * DAY_MS));
  return { id: m!.id, walletUserId: m!.walletUserId, legalName: enrolment(n).legalName };
}

/**
 * Merchant n under `legalName` (a real name: a generated invoice photo of its own bill names it), with
 * `payers` × 200 fen + the welcome credit collected 40 days ago (before any generated visit).
 */
export async function namedMerchantWithCredit(pool: pg.Pool, n: number, legalName: string, payers = 5): Promise<StoredMerchant & { phone: string }> {
  const input = enrolment(n, { legalName });
  await importEnrolments(pool, [{ line: 2, input }], TEST_ID_HASH_KEY, { skipDuplicates: false });
  const { rows } = await pool.query<{ merchant_id: number }>('SELECT merchant_id FROM merchants WHERE wallet_user_id = $1', [input.walletUserId]);
  const id = rows[0]!.merchant_id;
  await earnAndCollect(pool, { id, walletUserId: input.walletUserId }, payers, new Date(Date.now() - 40 * DAY_MS));
  return { id, walletUserId: input.walletUserId, legalName, phone: input.phone };
}

/** The merchant's own bill (its number from the merchant's id) at the registry's hospital, dated five days ago; `overrides` change what was read. */
export function readInvoice(merchant: StoredMerchant, overrides: Partial<Invoice> = {}): Invoice {
  return invoice({
    invoiceNumber: ocr(String(merchant.id).padStart(10, '0')),
    payerName: ocr(merchant.legalName),
    issueDate: ocr(daysAgo(5)),
    hospital: { printedName: REGISTRY_GENERAL.name, hospitalId: REGISTRY_GENERAL.id, registryName: REGISTRY_GENERAL.name, similarity: 1, confidence: 0.99 },
    ...overrides,
  });
}

/** Photo bytes: JPEG magic then `seed`, so that equal seeds are byte-identical files. */
export function photoBytes(seed: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(seed.padEnd(200, '.'))]);
}

/** A claim in `status` with one photo page read as `read`; its look-alike hash is `phash` (null: not decodable). */
export async function storedClaim(
  pool: pg.Pool,
  merchant: StoredMerchant,
  options: { read: Invoice; photo: Buffer; phash: string | null; status?: ClaimStatus },
): Promise<string> {
  const claimId = randomUUID();
  const sha256 = createHash('sha256').update(options.photo).digest('hex');
  await inTransaction(pool, async (client) => {
    const claim = { merchantId: merchant.id, claimId, files: [{ sha256, mediaType: 'image/jpeg' as const, sizeBytes: options.photo.length, role: 'invoice' as const }], submittedAt: new Date() };
    await insertClaim(client, claim);
    // read, as recognition leaves a claim it does not ask a new photo of: only from there may it go to review
    if (options.status !== 'photo_requested') await client.query("UPDATE claims SET status = 'recognized' WHERE merchant_id = $1 AND claim_id = $2", [claim.merchantId, claimId]);
    await transitionClaim(client, claim, options.status ?? 'in_review', { code: 'sent_to_review', zh: '转人工审核。', en: 'Sent to review.' }, {
      recognition: [{ sha256, result: page(options.read) }],
      phash: options.phash,
      decision: 'review',
    });
  });
  return claimId;
}
