/**
 * `trans_amount` on the wire: yuan with exactly two decimals. Everything else in the programme counts
 * integer fen; this is the one place a payout amount changes form, through the project's money helpers.
 */
import { formatFenAsYuan, parseYuanToFen } from '../shared/money.ts';

/** The platform's ceiling for one transfer (100,000,000 yuan); ours are far smaller. */
export const MAX_TRANSFER_FEN = 10_000_000_000;

// Strict wire form: no sign, no grouping, no leading zeros, exactly two decimals.
const TRANS_AMOUNT = /^(0|[1-9]\d{0,8})\.\d{2}$/;

/** 12345 → "123.45". Throws on anything that is not a whole, positive number of fen within the ceiling. */
export function transAmountOf(amountFen: number): string {
  if (!Number.isSafeInteger(amountFen) || amountFen < 1 || amountFen > MAX_TRANSFER_FEN) {
    throw new RangeError(`a transfer amount is a whole number of fen in 1..${MAX_TRANSFER_FEN}, not ${amountFen}`);
  }
  return formatFenAsYuan(amountFen);
}

/** "123.45" → 12345; null for anything that is not the strict wire form (a gateway answer is checked, not trusted). */
export function fenOfTransAmount(text: unknown): number | null {
  if (typeof text !== 'string' || !TRANS_AMOUNT.test(text)) return null;
  return parseYuanToFen(text);
}
