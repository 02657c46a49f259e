/**
 * Paid claims for the audit tests, without recognition: a merchant with credit, and a claim approved
 * by `decidedBy` then paid through the pipeline's own pay step, which draws the audit when it settles.
 */
import assert from 'node:assert/strict';
import { CLAIM_TASKS, claimTasks, type ClaimsRuntime } from '../../src/claims/index.ts';
import type { AuditSampling } from '../../src/config/config.ts';
import { importEnrolments } from '../../src/merchants/store.ts';
import { approvedClaimOf, waitForClaim, type ClaimsHarness } from './claims.ts';
import { earnAndCollect } from './credit.ts';
import { enrolment, TEST_ID_HASH_KEY } from './fixtures.ts';

const DAY_MS = 86_400_000;
/** When the merchants' customers paid, and the claims' visit day: ten days ago. */
export const PAID_AT = new Date(Date.now() - 10 * DAY_MS);

export interface AuditedMerchant {
  merchantId: number;
  walletUserId: string;
}

/** Merchant n (named `legalName` if given) with 3 payers' credit collected ten days ago: 3 × 200 + the 200 welcome = 800 fen. */
export async function merchantWithCredit(h: ClaimsHarness, n: number, legalName?: string): Promise<AuditedMerchant> {
  const input = enrolment(n, legalName ? { legalName } : {});
  await importEnrolments(h.db.pool, [{ line: 2, input }], TEST_ID_HASH_KEY, { skipDuplicates: false });
  const merchantId = (await h.db.pool.query<{ merchant_id: number }>('SELECT merchant_id FROM merchant_wallets WHERE wallet_user_id = $1', [input.walletUserId])).rows[0]!.merchant_id;
  await earnAndCollect(h.db.pool, { id: merchantId, walletUserId: input.walletUserId }, 3, PAID_AT);
  return { merchantId, walletUserId: input.walletUserId };
}

let invoices = 0;

/** A claim approved for `amountFen` by `decidedBy` and paid with `sampling`; `pay` runs the pay step again (a replay). */
export async function paidClaim(h: ClaimsHarness, m: AuditedMerchant, amountFen: number, decidedBy: string, sampling: AuditSampling) {
  invoices += 1;
  const c = await approvedClaimOf(h.db.pool, m, { amountFen, invoiceNumber: String(9_000_000 + m.merchantId * 100 + invoices).padStart(10, '0'), visitDay: PAID_AT.toISOString().slice(0, 10), decidedBy });
  const unused = () => Promise.reject(new Error('the pay step reads no photo'));
  const runtime: ClaimsRuntime = { pool: h.db.pool, files: undefined as never, recognizer: unused, hospitals: unused, gateway: h.gateway, auditSampling: sampling };
  const step = claimTasks(runtime)[CLAIM_TASKS.pay]!;
  // the last retry: an unknown outcome throws rather than queueing another job nobody runs here
  const pay = () => step({ ...m, ...c, retry: Number.MAX_SAFE_INTEGER }, undefined as never); // the pay step uses no job helpers
  await pay();
  assert.equal(await waitForClaim(h.db.pool, c.claimId, ['paid', 'in_review']), 'paid');
  return { ...c, pay };
}
