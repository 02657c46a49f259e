/**
 * An overpayment found after payment (an audit: src/audits) is recovered from the merchant's credit
 * as a refund's claw-back is: the spendable available credit first (drawing lots, the oldest first
 * collected), the rest as debt, which the merchant's next collections repay (planCollect). Runs in a
 * credit change that has locked the merchant; the transfers' ids follow from the claim, so a claim's
 * overpayment is recovered once (a second recovery is refused, as a programming error).
 */
import { merchantAccounts, spendableFen, transferExists, transferIdFor } from '../ledger/index.ts';
import { present } from '../shared/assert.ts';
import { postCredit, type CreditChange } from './credit.ts';
import { planClawback } from './plan.ts';
import { clawbackTransfers, lotFromRow, updateLots, type LotRow } from './store.ts';

export const RECOVERY_CODES = { fromCredit: 'audit_recovery', asDebt: 'audit_recovery_debt' } as const;

export interface Recovery {
  fromCreditFen: number;
  asDebtFen: number;
}

/** Takes `owedFen` back for the claim `claimId`: available credit first, the rest as debt. */
export async function recoverOverpayment(change: CreditChange, owed: { merchantId: number; claimId: string; owedFen: number }): Promise<Recovery> {
  const { client } = change;
  const ids = { fromCredit: transferIdFor('audit_recovery', owed.claimId, 'credit'), asDebt: transferIdFor('audit_recovery', owed.claimId, 'debt') };
  if ((await transferExists(client, ids.fromCredit)) || (await transferExists(client, ids.asDebt))) throw new Error(`the overpayment of claim ${owed.claimId} is already recovered`);
  const accounts = present(await merchantAccounts(client, owed.merchantId), `the accounts of merchant ${owed.merchantId}`);
  const { rows } = await client.query<LotRow>("SELECT * FROM credit_lots WHERE merchant_id = $1 AND state = 'available' AND remaining_fen > 0", [owed.merchantId]);
  // no trade's own lots: an overpayment is owed by the merchant, not by one customer's payment
  const plan = planClawback(owed.owedFen, [], rows.map(lotFromRow), spendableFen(accounts.merchant_available));
  await postCredit(
    change,
    clawbackTransfers(owed.merchantId, accounts, plan, {
      id: (part) => (part === 'debt' ? ids.asDebt : ids.fromCredit), // nothing comes from pending: no trade's lots
      code: RECOVERY_CODES.fromCredit,
      debtCode: RECOVERY_CODES.asDebt,
      reference: owed.claimId,
    }),
  );
  await updateLots(
    client,
    plan.availableDraws.map(({ lot, amountFen }) => ({ merchantId: lot.merchantId, lotId: lot.lotId, state: lot.remainingFen === amountFen ? 'clawed_back' : 'available', remainingFen: lot.remainingFen - amountFen })),
  );
  return { fromCreditFen: plan.fromAvailableFen, asDebtFen: plan.toDebtFen };
}
