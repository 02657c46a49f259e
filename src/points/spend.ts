/**
 * Spending credit on a claim, in two phases (DESIGN.md "One truth for credit"): approval reserves it
 * with a pending ledger transfer (available → reimbursement_payable); a successful payout posts it and
 * draws the lots oldest first by the same amount; a failed payout voids it and the lots are untouched.
 * Lots always sum to the posted available balance, reserved or not. Each runs in a credit change
 * (credit.ts) that has locked the merchant, which serialises every change of the merchant's credit.
 */
import type pg from 'pg';
import { merchantAccounts, programmeAccountsOf, spendableFen, transferExists, transferIdFor } from '../ledger/index.ts';
import { addDays, businessDayStart } from '../shared/business-day.ts';
import { planSpendDraws } from './plan.ts';
import { postCredit, type CreditChange } from './credit.ts';
import { lotFromRow, updateLots, type LotRow } from './store.ts';
import { onlyRow, present } from '../shared/assert.ts';

export const SPEND_CODE = 'spend';

/** What a spend is for: the payout (its id keys the transfers) of a claim (the transfers' reference). */
export interface Spend {
  merchantId: number;
  payoutId: string;
  claimId: string;
  amountFen: number;
}

export function reservationIdFor(payoutId: string): string {
  return transferIdFor('payout_reserve', payoutId);
}

export async function reserveCredit(change: CreditChange, spend: Spend): Promise<string> {
  const accounts = present(await merchantAccounts(change.client, spend.merchantId), `the accounts of merchant ${spend.merchantId}`);
  const id = reservationIdFor(spend.payoutId);
  await postCredit(change, [
    { id, phase: 'pending', debitAccountId: accounts.merchant_available.id, creditAccountId: programmeAccountsOf(spend.merchantId).reimbursement_payable, amountFen: spend.amountFen, code: SPEND_CODE, reference: spend.claimId },
  ]);
  return id;
}

/** Posts the reservation and draws the lots; a replay (same payout) finds the post and changes nothing. */
export async function postReservation(change: CreditChange, spend: Spend): Promise<void> {
  const postId = transferIdFor('payout_post', spend.payoutId);
  if (await transferExists(change.client, postId)) return;
  await postCredit(change, [{ id: postId, phase: 'post', pendingId: reservationIdFor(spend.payoutId), code: SPEND_CODE, reference: spend.claimId }]);
  await drawLots(change.client, spend.merchantId, spend.amountFen);
}

/** Takes `amountFen` from the merchant's available lots, oldest first, after the ledger has posted the spend. */
async function drawLots(client: pg.PoolClient, merchantId: number, amountFen: number): Promise<void> {
  const { rows } = await client.query<LotRow>("SELECT * FROM credit_lots WHERE merchant_id = $1 AND state = 'available' AND remaining_fen > 0", [merchantId]);
  const draws = planSpendDraws(rows.map(lotFromRow), amountFen);
  await updateLots(
    client,
    draws.map(({ lot, amountFen: take }) => ({ merchantId: lot.merchantId, lotId: lot.lotId, state: lot.remainingFen === take ? 'spent' : 'available', remainingFen: lot.remainingFen - take })),
  );
}

export const REDEEM_CODE = 'redeem';

/** Refused before anything is written: the merchant's spendable credit (claims in flight excluded) is short. */
export class InsufficientCredit extends Error {
  constructor(
    readonly availableFen: number,
    readonly neededFen: number,
  ) {
    super(`${neededFen} fen needed, ${availableFen} fen available`);
  }
}

/**
 * Spends credit at once, in one phase (a catalogue order): one posted transfer to the catalogue's
 * payable account and the lots drawn oldest first, in the caller's transaction with the merchant's
 * accrual lock held. `transferId` is the caller's idempotent id for this spend; a replay finds it
 * and changes nothing.
 */
export async function spendCreditNow(change: CreditChange, spend: { merchantId: number; transferId: string; amountFen: number; reference: string }): Promise<void> {
  const { client } = change;
  if (await transferExists(client, spend.transferId)) return;
  const accounts = present(await merchantAccounts(client, spend.merchantId), `the accounts of merchant ${spend.merchantId}`);
  const available = accounts.merchant_available;
  const availableFen = spendableFen(available);
  if (spend.amountFen > availableFen) throw new InsufficientCredit(availableFen, spend.amountFen);
  await postCredit(change, [
    { id: spend.transferId, debitAccountId: available.id, creditAccountId: programmeAccountsOf(spend.merchantId).catalogue_payable, amountFen: spend.amountFen, code: REDEEM_CODE, reference: spend.reference },
  ]);
  await drawLots(client, spend.merchantId, spend.amountFen);
}

export async function voidReservation(change: CreditChange, spend: Pick<Spend, 'payoutId' | 'claimId'>): Promise<void> {
  const voidId = transferIdFor('payout_void', spend.payoutId);
  if (await transferExists(change.client, voidId)) return;
  await postCredit(change, [{ id: voidId, phase: 'void', pendingId: reservationIdFor(spend.payoutId), code: SPEND_CODE, reference: spend.claimId }]);
}

export interface CreditContext {
  /** Spendable now: posted available minus what claims in flight reserve. */
  availableNowFen: number;
  /**
   * Credit the merchant already held at the end of the visit's business day (Asia/Shanghai) and
   * still holds: the unspent lots collected before then, less every reservation. Credit earned
   * after a visit never pays for it.
   */
  availableAtEndOfDayFen: number;
  /** When the merchant first collected credit: the validity of credit starts there. */
  firstCollectedAt: Date | null;
}

/** What the benefit rule needs to know of the merchant's credit, for a visit on `visitDay` (YYYY-MM-DD). */
export async function creditContext(db: Pick<pg.Pool, 'query'> | pg.PoolClient, merchantId: number, visitDay: string | null): Promise<CreditContext> {
  const accounts = present(await merchantAccounts(db, merchantId), `the accounts of merchant ${merchantId}`);
  const available = accounts.merchant_available;
  const availableNowFen = spendableFen(available);
  const endOfDay = visitDay === null ? null : businessDayStart(addDays(visitDay, 1));
  const { rows } = await db.query<{ held: string; first: Date | null }>(
    `SELECT coalesce(sum(remaining_fen) FILTER (WHERE state = 'available' AND ($2::timestamptz IS NULL OR collected_at < $2)), 0)::text AS held,
            min(collected_at) AS first
       FROM credit_lots WHERE merchant_id = $1`,
    [merchantId, endOfDay],
  );
  const lots = onlyRow(rows, 'the sum of credit lots held');
  const availableAtEndOfDayFen = Math.max(0, Number(lots.held) - available.debitsPending);
  return { availableNowFen, availableAtEndOfDayFen, firstCollectedAt: lots.first };
}
