/** Credit lots and their ledger transfers: collect, lapse, expire, claw back, and spend on claims. */
export { changeCredit, creditChangeOn, postCredit, CreditTransferRefused, type CreditChange, type MerchantAccrualState } from './credit.ts';
export { collectCredits, collectCreditsOf, planTradeClawbacks, openMerchantAccrual, updateLots, insertEarnedLots, type EarnedLot, type ClawbackDue, type ClawbackWrites, lotIdFor, type CollectSummary } from './store.ts';
export { lapseUncollectedCredits, expireCredits } from './sweeps.ts';
export { reserveCredit, postReservation, voidReservation, creditContext, reservationIdFor, SPEND_CODE, type CreditContext, type Spend } from './spend.ts';
export { spendCreditNow, InsufficientCredit, REDEEM_CODE } from './spend.ts';
export { planCollect, planClawback, planSpendDraws, type Lot, type LotState } from './plan.ts';
export { recoverOverpayment, RECOVERY_CODES, type Recovery } from './recovery.ts';
export { loadRulesets, publishRuleset, RulesetError, ACCRUAL_RULESETS, type RulesetKind, type RulesetInput } from './rulesets.ts';
export { rulesetAt, type RulesetVersion } from './accrual-rules.ts';
export { rulesetRoutes } from './ruleset-routes.ts';
