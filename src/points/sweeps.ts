import type pg from 'pg';
import { merchantAccountsOf, orderedTransferIdFor, programmeAccountsOf, spendableFen, type TransferInput } from '../ledger/index.ts';
import { changeCredit, postCredit } from './credit.ts';
import { updateLots, type LotUpdate } from './store.ts';

const SWEEP_LIMIT = 2_000;

interface DueLot {
  lot_id: string;
  merchant_id: number;
  trade_no: string;
  remaining_fen: number;
  /** When it fell due (collect_by or expires_at): it leads the transfer's id. */
  due_at: Date;
}

/**
 * Uncollected credit past its window lapses; collected credit past its validity expires. Each sweep
 * handles up to SWEEP_LIMIT lots in one transaction, re-reading them under the merchants' locks.
 */
async function sweep(pool: pg.Pool, kind: 'lapse' | 'expire', now: Date): Promise<number> {
  const state = kind === 'lapse' ? 'pending' : 'available';
  const due = kind === 'lapse' ? 'collect_by' : 'expires_at';
  return changeCredit(pool, async (change) => {
    const { client } = change;
    const { rows: candidates } = await client.query<{ merchant_id: number }>(`SELECT DISTINCT merchant_id FROM (SELECT merchant_id FROM credit_lots WHERE state = $1 AND ${due} <= $2 LIMIT $3) d`, [
      state,
      now,
      SWEEP_LIMIT,
    ]);
    if (candidates.length === 0) return 0;
    await change.lock(candidates.map((c) => c.merchant_id));
    const { rows: lots } = await client.query<DueLot>(
      `SELECT lot_id, merchant_id, trade_no, remaining_fen, ${due} AS due_at FROM credit_lots
        WHERE state = $1 AND ${due} <= $2 AND merchant_id = ANY($3::bigint[]) ORDER BY merchant_id, ${due} LIMIT $4`,
      [state, now, candidates.map((c) => c.merchant_id), SWEEP_LIMIT],
    );
    const accountsByMerchant = await merchantAccountsOf(client, lots.map((l) => l.merchant_id));
    const transfers: TransferInput[] = [];
    const updates: LotUpdate[] = [];
    const spendable = new Map<number, number>();
    for (const lot of lots) {
      const accounts = accountsByMerchant.get(lot.merchant_id)!;
      let amount = lot.remaining_fen;
      if (kind === 'expire') {
        // credit reserved by a claim in flight cannot expire from under it; what is left expires
        const a = accounts.merchant_available;
        const left = spendable.get(lot.merchant_id) ?? spendableFen(a);
        amount = Math.min(amount, left);
        spendable.set(lot.merchant_id, left - amount);
      }
      // a lot whose credit a claim in flight holds stays available: if the claim fails and the
      // reservation is voided, the next sweep expires what it gives back; if it pays, the spend draws it
      if (amount === 0) continue;
      transfers.push({
        // keyed by what was left: a lot that expires in two steps (around a voided reservation) gets two transfers
        id: orderedTransferIdFor(lot.due_at, kind, lot.lot_id, lot.remaining_fen),
        debitAccountId: kind === 'lapse' ? accounts.merchant_pending.id : accounts.merchant_available.id,
        creditAccountId: programmeAccountsOf(lot.merchant_id)[kind === 'lapse' ? 'lapsed' : 'expired'],
        amountFen: amount,
        code: kind,
        reference: lot.trade_no,
      });
      const left = lot.remaining_fen - amount;
      updates.push({ merchantId: lot.merchant_id, lotId: lot.lot_id, state: left > 0 ? 'available' : kind === 'lapse' ? 'lapsed' : 'expired', remainingFen: left, lostFen: amount });
    }
    await postCredit(change, transfers);
    await updateLots(client, updates);
    return updates.length;
  });
}

export function lapseUncollectedCredits(pool: pg.Pool, now = new Date()): Promise<number> {
  return sweep(pool, 'lapse', now);
}

export function expireCredits(pool: pg.Pool, now = new Date()): Promise<number> {
  return sweep(pool, 'expire', now);
}

