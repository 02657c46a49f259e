/** Why an audit found a claim overpaid, in the merchant's words (both languages), and what the merchant is told. */
import { formatFenAsYuan } from '../shared/money.ts';

export const OVERPAID_REASONS = {
  amount_misread: { zh: '票据金额识别有误', en: 'the invoice amount was misread' },
  excluded_items: { zh: '票据含有不予报销的项目', en: 'the invoice includes items the programme does not cover' },
  not_covered: { zh: '部分费用不在保障范围内', en: 'part of the charges is outside the cover' },
  benefit_miscalculated: { zh: '报销金额计算有误', en: 'the reimbursement was calculated wrongly' },
  issuer_mismatch: { zh: '开票单位查验平台的记录与票据不符', en: "the issuer's record of the invoice differs from the invoice" },
  other: { zh: '其他原因', en: 'another reason' },
} as const;

export type OverpaidReason = keyof typeof OVERPAID_REASONS;
export const OVERPAID_REASON_CODES = Object.keys(OVERPAID_REASONS) as OverpaidReason[];

export interface OverpaidNotice {
  paidFen: number;
  dueFen: number;
  fromCreditFen: number;
  asDebtFen: number;
  reasonCode: OverpaidReason;
  /** The reviewer's note, shown as written. */
  note: string | null;
}

/** The message to the merchant: what was paid, what was due, why, and how the difference is taken back. */
export function overpaidText(n: OverpaidNotice): { zh: string; en: string } {
  const y = formatFenAsYuan;
  const reason = OVERPAID_REASONS[n.reasonCode];
  const over = n.paidFen - n.dueFen;
  const zhTaken = [n.fromCreditFen > 0 ? `从您的可用额度扣回 ¥${y(n.fromCreditFen)}` : '', n.asDebtFen > 0 ? `¥${y(n.asDebtFen)} 记为欠款，将从您之后领取的额度中抵扣` : ''].filter(Boolean).join('，');
  const enTaken = [n.fromCreditFen > 0 ? `¥${y(n.fromCreditFen)} is taken from your available credit` : '', n.asDebtFen > 0 ? `¥${y(n.asDebtFen)} is recorded as debt, repaid from the credit you collect next` : ''].filter(Boolean).join('; ');
  const zhNote = n.note ? `审核说明：${n.note}` : '';
  const enNote = n.note ? ` Reviewer's note: ${n.note}` : '';
  return {
    zh: `报销抽查：这笔报销已付 ¥${y(n.paidFen)}，应付 ¥${y(n.dueFen)}，多付 ¥${y(over)}。原因：${reason.zh}。${zhTaken}。${zhNote}`,
    en: `Audit of a paid claim: ¥${y(n.paidFen)} was paid where ¥${y(n.dueFen)} was due, ¥${y(over)} too much, because ${reason.en}. ${enTaken}.${enNote}`,
  };
}
