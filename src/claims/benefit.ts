/**
 * How much a claim pays: `min(covered charges, per-claim cap, balance at the end of the visit day,
 * balance now)`, where covered charges are the covered items, never more than the patient paid
 * (DESIGN.md §1 "Reimbursement").
 *
 * Where the invoice leaves the amount in doubt, the figures are the most the rules could allow
 * from what was read (an upper bound for the reviewer), and a doubt finding holds the claim for
 * review, so an upper bound is never paid automatically.
 */
import type { Invoice } from '../recognition/types.ts';
import { groundOf } from './confidence.ts';
import { textExclusion } from './exclusions.ts';
import { finding, type ClaimFinding, type FindingGround } from './findings.ts';
import type { ClaimRules } from './rules.ts';

export interface BenefitInput {
  /** The claim's merged invoice (see mergePages). */
  readonly invoice: Invoice;
  /** The merchant's available credit at the end of the visit day (Asia/Shanghai), from the ledger. */
  readonly balanceAtVisitDayEndFen: number;
  /** The merchant's available credit now, from the ledger. */
  readonly balanceNowFen: number;
  readonly rules: ClaimRules;
  /** Covered charges as a reviewer read them, in place of the items' (still never more than the patient paid). */
  readonly reviewedCoveredFen?: number;
}

export type BenefitLimit = 'covered' | 'cap' | 'balance_at_visit' | 'balance_now';

export interface Benefit {
  readonly coveredFen: number;
  readonly patientPaidFen: number;
  readonly benefitFen: number;
  /** Which of the four bounds gave the benefit (the first in this order on a tie). */
  readonly limitedBy: BenefitLimit;
  readonly findings: readonly ClaimFinding[];
}

interface PatientPaid {
  readonly fen: number;
  /** What the pooling fund and every other fund paid, as printed; null when the split is not known. */
  readonly fundsFen: number | null;
  readonly basis: 'split' | 'self_pay' | 'unknown';
  /** The readings the figure rests on. */
  readonly confidences: readonly number[];
  readonly doubt: ClaimFinding | null;
}

function isSelfPay(invoice: Invoice, rules: ClaimRules): boolean {
  const type = invoice.insuranceType?.value ?? '';
  return rules.selfPayInsuranceTypes.some((k) => type.includes(k));
}

/**
 * The total minus what the pooling fund and every other fund paid (大病保险, 公务员补助, …). With
 * both personal parts printed, their sum is what the patient paid, and it also leaves out a fund
 * whose line was not printed; taking the smaller figure never pays an insurer's money twice.
 */
function patientPaid(invoice: Invoice, totalFen: number, rules: ClaimRules): PatientPaid {
  const { poolingFundFen: pool, personalAccountFen: account, personalCashFen: cash, otherFundsFen: other } = invoice.payment;
  const present = [pool, account, cash, other].filter((f) => f !== null && f !== undefined);
  const confidences = present.filter((f) => f.source !== 'derived').map((f) => f.confidence);
  const personal = account && cash ? account.value + cash.value : null;
  const unknown = (doubt: ClaimFinding): PatientPaid => ({ fen: totalFen, fundsFen: null, basis: 'unknown', confidences, doubt });
  if (present.length === 0) {
    if (isSelfPay(invoice, rules)) return { fen: totalFen, fundsFen: 0, basis: 'self_pay', confidences: [invoice.insuranceType!.confidence], doubt: null };
    return unknown(finding('payment_split_missing', 'uncertain', { insuranceType: invoice.insuranceType?.value ?? null }));
  }
  const splitSumFen = present.reduce((sum, f) => sum + f.value, 0);
  if (splitSumFen > totalFen || present.some((f) => f.value < 0)) {
    // Parts larger than the whole, or below zero, are a misreading, not a bill the insurer paid in full.
    const parts = { poolingFundFen: pool?.value ?? null, personalAccountFen: account?.value ?? null, personalCashFen: cash?.value ?? null, otherFundsFen: other?.value ?? null };
    return unknown(finding('payment_split_mismatch', 'uncertain', { ...parts, splitSumFen, totalFen }));
  }
  const fundsFen = (pool?.value ?? 0) + (other?.value ?? 0);
  if (pool) return { fen: Math.min(totalFen - fundsFen, personal ?? Infinity), fundsFen, basis: 'split', confidences, doubt: null };
  if (personal !== null) return { fen: Math.min(totalFen - fundsFen, personal), fundsFen, basis: 'split', confidences, doubt: null };
  return unknown(finding('payment_split_incomplete', 'uncertain', { personalAccountFen: account?.value ?? null, personalCashFen: cash?.value ?? null }));
}

/** Covered categories, less anything an exclusion names (a dental item at a general hospital). */
function coveredItemsFen(invoice: Invoice, rules: ClaimRules): number {
  return invoice.items
    .filter((item) => rules.coveredCategories.includes(item.category) && textExclusion(item.name, rules) === null)
    .reduce((sum, item) => sum + item.amountFen, 0);
}

function smallest(bounds: readonly [BenefitLimit, number][]): [BenefitLimit, number] {
  return bounds.reduce((best, b) => (b[1] < best[1] ? b : best));
}

/**
 * Nothing to pay is a rejection, not a review: a reviewer may never pay more than the rules allow,
 * so a person could only confirm it. It is certain when the zero rests on facts (the ledger) or on
 * sure readings; an item the recogniser could not classify (`other`) might be covered care.
 */
function zeroGround(limit: BenefitLimit, invoice: Invoice, moneyGround: FindingGround, rules: ClaimRules): FindingGround {
  if (limit === 'balance_now' || limit === 'cap') return 'certain';
  if (limit === 'balance_at_visit') return groundOf([invoice.issueDate?.confidence], rules);
  const unclassified = invoice.items.some((i) => i.category === 'other');
  return moneyGround === 'certain' && invoice.items.length > 0 && !unclassified ? 'certain' : 'uncertain';
}

export function computeBenefit(input: BenefitInput): Benefit {
  const { invoice, rules } = input;
  const itemsFen = invoice.items.reduce((s, i) => s + i.amountFen, 0);
  const totalFen = invoice.totalFen?.value ?? itemsFen;
  const paid = patientPaid(invoice, totalFen, rules);
  const patientPaidFen = Math.max(0, Math.min(paid.fen, totalFen));
  // With no items read, what the patient paid is the most the covered charges could be.
  const readCoveredFen = invoice.items.length > 0 ? coveredItemsFen(invoice, rules) : patientPaidFen;
  const coveredFen = Math.max(0, Math.min(input.reviewedCoveredFen ?? readCoveredFen, patientPaidFen));
  const [limitedBy, bound] = smallest([
    ['covered', coveredFen],
    ['cap', rules.perClaimCapFen],
    ['balance_at_visit', input.balanceAtVisitDayEndFen],
    ['balance_now', input.balanceNowFen],
  ]);
  const benefitFen = Math.max(0, bound);
  const doubts = [paid.doubt, invoice.items.length === 0 ? finding('no_items_read', 'uncertain', {}) : null].filter((f) => f !== null);
  const moneyGround = doubts.length > 0 ? 'uncertain' : groundOf([invoice.totalFen?.confidence, ...paid.confidences, ...invoice.items.map((i) => i.confidence)], rules);
  const evidence = {
    totalFen,
    fundsPaidFen: paid.fundsFen,
    coveredFen,
    patientPaidFen,
    patientPaidBasis: paid.basis,
    capFen: rules.perClaimCapFen,
    balanceAtVisitFen: input.balanceAtVisitDayEndFen,
    balanceNowFen: input.balanceNowFen,
    benefitFen,
    limitedBy,
  };
  const outcome =
    benefitFen > 0
      ? finding('benefit_computed', moneyGround, evidence)
      : finding(limitedBy === 'covered' || limitedBy === 'cap' ? 'nothing_to_reimburse' : 'no_credit', zeroGround(limitedBy, invoice, moneyGround, rules), evidence);
  return { coveredFen, patientPaidFen, benefitFen, limitedBy, findings: [...doubts, outcome] };
}
