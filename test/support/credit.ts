import type pg from 'pg';
import { ingestPayments } from '../../src/payments/ingest.ts';
import { collectCredits, changeCredit } from '../../src/points/index.ts';
import { notification, payerWallet } from './payments.ts';

/**
 * Gives a merchant credit the way the programme does: `payers` distinct customers pay it at `paidAt`
 * (200 fen each, plus the welcome credit), and the merchant collects an hour later.
 */
export async function earnAndCollect(pool: pg.Pool, merchant: { id: number; walletUserId: string }, payers: number, paidAt: Date): Promise<void> {
  const notes = Array.from({ length: payers }, (_, i) =>
    notification({ tradeNo: `T${merchant.id}x${paidAt.getTime()}x${i}`, sellerId: merchant.walletUserId, buyerId: payerWallet(merchant.id * 100 + i), gmtPayment: paidAt }),
  );
  await ingestPayments(pool, notes);
  await changeCredit(pool, async (change) => {
    await change.lock([merchant.id]);
    await collectCredits(change, merchant.id, { availableCapFen: 100_000, validityMonths: 6 }, new Date(paidAt.getTime() + 3_600_000));
  });
}
