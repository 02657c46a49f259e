/**
 * What a claim check found, explained to the merchant and the reviewer in Chinese and English,
 * with the values it compared. Each code has one outcome; the ground says whether the reading it
 * rests on is sure enough to act on without a person.
 */
import { formatFenAsYuan } from '../shared/money.ts';

export type FindingOutcome = 'pass' | 'fail' | 'doubt';
/** `certain`: the values compared are facts or confident readings; a certain fail may reject on its own. */
export type FindingGround = 'certain' | 'uncertain';
export type EvidenceValue = string | number | boolean | null;
export type Evidence = Readonly<Record<string, EvidenceValue>>;

export interface ClaimFinding {
  readonly code: ClaimFindingCode;
  readonly outcome: FindingOutcome;
  readonly ground: FindingGround;
  readonly zh: string;
  readonly en: string;
  readonly evidence: Evidence;
}

interface Entry {
  readonly outcome: FindingOutcome;
  readonly zh: (e: Evidence) => string;
  readonly en: (e: Evidence) => string;
}

/** The invoice's field names in Chinese, so that a Chinese sentence names them in Chinese. */
const FIELD_ZH: Readonly<Record<string, string>> = {
  kind: '票据种类',
  invoice_code: '票据代码',
  invoice_number: '票据号码',
  issue_date: '开票日期',
  total: '金额合计',
  payer_name: '交款人',
  hospital: '收款单位',
  pooling_fund: '统筹基金支付',
  personal_account: '个人账户支付',
  personal_cash: '个人现金支付',
  other_funds: '其他基金支付',
  department: '科室',
  diagnosis: '诊断',
  item: '项目',
};
/** "total 0.50, item 西药费 0.80" → "金额合计 0.50、项目 西药费 0.80". */
const fieldsZh = (v: EvidenceValue | undefined): string =>
  typeof v === 'string' && v !== ''
    ? v
        .split(', ')
        .map((entry) => entry.replace(/^[a-z_]+/, (name) => FIELD_ZH[name] ?? name))
        .join('、')
    : '—';

const yuan = (v: EvidenceValue | undefined): string => (typeof v === 'number' ? formatFenAsYuan(v) : '?');
const text = (v: EvidenceValue | undefined): string => (v === null || v === undefined || v === '' ? '—' : String(v));

const CATALOGUE = {
  one_invoice: { outcome: 'pass', zh: (e) => `${text(e.pages)} 页属于同一张票据。`, en: (e) => `The ${text(e.pages)} page(s) belong to one invoice.` },
  several_invoices: {
    outcome: 'doubt',
    zh: (e) => `页面上有不止一张票据（号码 ${text(e.invoiceNumbers)}），一次只能报销一张。`,
    en: (e) => `The pages show more than one invoice (numbers ${text(e.invoiceNumbers)}); a claim is for one invoice.`,
  },
  required_fields_present: { outcome: 'pass', zh: () => '票据的必要信息齐全。', en: () => 'Every required field of the invoice was read.' },
  missing_fields: { outcome: 'doubt', zh: (e) => `未能读出：${fieldsZh(e.missing)}。`, en: (e) => `Could not read: ${text(e.missing)}.` },
  fields_confident: { outcome: 'pass', zh: () => '各项内容识别清晰。', en: () => 'Every field was read with confidence.' },
  low_confidence_fields: {
    outcome: 'doubt',
    zh: (e) => `部分内容识别不够清晰：${fieldsZh(e.fields)}。`,
    en: (e) => `Some fields were not read clearly enough: ${text(e.fields)}.`,
  },
  cross_checks_pass: { outcome: 'pass', zh: () => '票据各项金额相互一致。', en: () => 'The amounts on the invoice agree with each other.' },
  items_sum_mismatch: {
    outcome: 'doubt',
    zh: (e) => `明细合计 ${yuan(e.itemsSumFen)} 元，与总额 ${yuan(e.totalFen)} 元不符。`,
    en: (e) => `The items sum to ${yuan(e.itemsSumFen)} CNY but the total says ${yuan(e.totalFen)} CNY.`,
  },
  words_figures_mismatch: {
    outcome: 'doubt',
    zh: (e) => `大写金额 ${yuan(e.wordsFen)} 元与小写金额 ${yuan(e.figuresFen)} 元不符。`,
    en: (e) => `The total in words (${yuan(e.wordsFen)} CNY) differs from the figures (${yuan(e.figuresFen)} CNY).`,
  },
  qr_mismatch: { outcome: 'doubt', zh: (e) => `二维码与票面不符：${text(e.fields)}。`, en: (e) => `The QR code disagrees with the print: ${text(e.fields)}.` },
  payment_split_mismatch: {
    outcome: 'doubt',
    zh: (e) => `支付明细合计 ${yuan(e.splitSumFen)} 元，与总额 ${yuan(e.totalFen)} 元不符。`,
    en: (e) => `The payment split sums to ${yuan(e.splitSumFen)} CNY but the total says ${yuan(e.totalFen)} CNY.`,
  },
  hospital_in_registry: { outcome: 'pass', zh: (e) => `医院：${text(e.hospitalName)}。`, en: (e) => `Hospital: ${text(e.hospitalName)}.` },
  hospital_not_in_registry: {
    outcome: 'doubt',
    zh: (e) => `“${text(e.printedName)}”不在医院名录中或无法确定是哪家医院。`,
    en: (e) => `"${text(e.printedName)}" is not in the hospital registry or matches several hospitals.`,
  },
  hospital_grade_eligible: { outcome: 'pass', zh: (e) => `医院等级 ${text(e.grade)}，符合要求。`, en: (e) => `Hospital grade ${text(e.grade)} is covered.` },
  hospital_grade_too_low: {
    outcome: 'fail',
    zh: (e) => `医院等级 ${text(e.grade)}，只报销二级及以上医院。`,
    en: (e) => `Hospital grade ${text(e.grade)}: only grade-2 hospitals and above are covered.`,
  },
  hospital_ownership_eligible: { outcome: 'pass', zh: () => '公立医院，符合要求。', en: () => 'A public hospital: covered.' },
  hospital_ownership_not_covered: { outcome: 'fail', zh: () => '民营医院不在报销范围内。', en: () => 'Private hospitals are not covered.' },
  outpatient_bill: { outcome: 'pass', zh: () => '门诊票据。', en: () => 'An outpatient bill.' },
  inpatient_bill: { outcome: 'fail', zh: () => '住院票据不在报销范围内，只报销门诊。', en: () => 'Inpatient bills are not covered, only outpatient care.' },
  not_outpatient_bill: {
    outcome: 'doubt',
    zh: (e) => `这不像门诊收费票据（识别为 ${text(e.kind)}）。`,
    en: (e) => `This does not look like an outpatient bill (read as ${text(e.kind)}).`,
  },
  no_excluded_care: { outcome: 'pass', zh: () => '没有不予报销的项目。', en: () => 'No excluded care.' },
  excluded_care: {
    outcome: 'fail',
    zh: (e) => `${text(e.exclusionZh)}不在报销范围内（${text(e.matched)}）。`,
    en: (e) => `${text(e.exclusionEn)} is not covered (${text(e.matched)}).`,
  },
  patient_is_merchant: { outcome: 'pass', zh: () => '就诊人是商户本人。', en: () => 'The patient is the merchant.' },
  patient_not_merchant: {
    outcome: 'fail',
    zh: (e) => `交款人“${text(e.payerName)}”与登记姓名“${text(e.enrolledName)}”不符，只报销本人就医。`,
    en: (e) => `The payer "${text(e.payerName)}" is not the enrolled name "${text(e.enrolledName)}"; only the merchant's own care is covered.`,
  },
  visit_in_window: { outcome: 'pass', zh: (e) => `就诊日期 ${text(e.visitDate)}，在有效期内。`, en: (e) => `Visit on ${text(e.visitDate)}, within the allowed period.` },
  visit_in_future: {
    outcome: 'fail',
    zh: (e) => `就诊日期 ${text(e.visitDate)} 晚于提交日期 ${text(e.submittedDay)}。`,
    en: (e) => `The visit date ${text(e.visitDate)} is after the submission day ${text(e.submittedDay)}.`,
  },
  visit_too_old: {
    outcome: 'fail',
    zh: (e) => `就诊日期 ${text(e.visitDate)} 已超过 ${text(e.maxAgeDays)} 天（${text(e.ageDays)} 天）。`,
    en: (e) => `The visit on ${text(e.visitDate)} is ${text(e.ageDays)} days old, more than ${text(e.maxAgeDays)}.`,
  },
  visit_before_credit: {
    outcome: 'fail',
    zh: (e) => `就诊日期 ${text(e.visitDate)} 早于首次领取保障金的日期 ${text(e.firstCreditDay)}。`,
    en: (e) => `The visit on ${text(e.visitDate)} came before the first credit was collected (${text(e.firstCreditDay)}).`,
  },
  visit_date_unreadable: { outcome: 'doubt', zh: (e) => `开票日期“${text(e.visitDate)}”不是有效日期。`, en: (e) => `The issue date "${text(e.visitDate)}" is not a valid date.` },
  not_reimbursed_before: { outcome: 'pass', zh: () => '这张票据没有报销过。', en: () => 'This invoice has not been reimbursed before.' },
  already_reimbursed: {
    outcome: 'fail',
    zh: (e) => `票据 ${text(e.invoiceCode)}-${text(e.invoiceNumber)} 已经报销过。`,
    en: (e) => `Invoice ${text(e.invoiceCode)}-${text(e.invoiceNumber)} has already been reimbursed.`,
  },
  no_near_duplicate_photo: { outcome: 'pass', zh: () => '没有发现相同的照片。', en: () => 'No earlier photo looks the same.' },
  near_duplicate_photo: {
    outcome: 'doubt',
    zh: (e) => `照片与之前的申请 ${text(e.otherClaimId)} 非常相似。`,
    en: (e) => `The photo looks very much like the one of claim ${text(e.otherClaimId)}.`,
  },
  photo_already_reimbursed: {
    outcome: 'fail',
    zh: (e) => `这张照片已在申请 ${text(e.otherClaimId)} 中报销过。`,
    en: (e) => `This photo was already reimbursed in claim ${text(e.otherClaimId)}.`,
  },
  issuer_verified: {
    outcome: 'pass',
    zh: (e) => `开票单位的查验平台确认了这张票据（核对：${fieldsZh(e.compared)}）。`,
    en: (e) => `The issuer's verification platform confirmed this invoice (compared: ${text(e.compared)}).`,
  },
  issuer_amount_mismatch: {
    outcome: 'fail',
    zh: (e) => `查验平台登记的金额合计为 ${yuan(e.issuerFen)} 元，票面为 ${yuan(e.readFen)} 元，两者不符。`,
    en: (e) => `The issuer's record gives a total of ${yuan(e.issuerFen)} CNY; the invoice shows ${yuan(e.readFen)} CNY.`,
  },
  issuer_date_mismatch: {
    outcome: 'fail',
    zh: (e) => `查验平台登记的开票日期为 ${text(e.issuerDate)}，票面为 ${text(e.readDate)}，两者不符。`,
    en: (e) => `The issuer's record gives the issue date ${text(e.issuerDate)}; the invoice shows ${text(e.readDate)}.`,
  },
  issuer_unknown_bill: {
    outcome: 'doubt',
    zh: (e) => `开票单位的查验平台没有票据 ${text(e.invoiceCode)}-${text(e.invoiceNumber)} 的记录。`,
    en: (e) => `The issuer's verification platform has no record of invoice ${text(e.invoiceCode)}-${text(e.invoiceNumber)}.`,
  },
  issuer_check_deferred: {
    outcome: 'pass',
    zh: (e) => `暂时无法向开票单位查验（${text(e.reasonZh)}），付款后再查验。`,
    en: (e) => `The invoice could not be checked with its issuer now (${text(e.reasonEn)}); it is checked after payment.`,
  },
  no_items_read: { outcome: 'doubt', zh: () => '未能读出收费明细。', en: () => 'The charge items could not be read.' },
  payment_split_missing: {
    outcome: 'doubt',
    zh: () => '票据没有医保支付明细，无法确定个人支付的金额。',
    en: () => 'The invoice shows no payment split, so what the patient paid is unknown.',
  },
  payment_split_incomplete: {
    outcome: 'doubt',
    zh: () => '医保支付明细不完整，无法确定个人支付的金额。',
    en: () => 'The payment split is incomplete, so what the patient paid is unknown.',
  },
  benefit_computed: {
    outcome: 'pass',
    zh: (e) => `可报销 ${yuan(e.benefitFen)} 元（可报费用 ${yuan(e.coveredFen)} 元）。`,
    en: (e) => `Reimbursable: ${yuan(e.benefitFen)} CNY (covered charges ${yuan(e.coveredFen)} CNY).`,
  },
  nothing_to_reimburse: {
    outcome: 'fail',
    zh: (e) => `没有可报销的费用（个人支付 ${yuan(e.patientPaidFen)} 元，其中可报 ${yuan(e.coveredFen)} 元）。`,
    en: (e) => `Nothing is reimbursable (the patient paid ${yuan(e.patientPaidFen)} CNY, of which ${yuan(e.coveredFen)} CNY is covered).`,
  },
  no_credit: {
    outcome: 'fail',
    zh: (e) => `保障金余额不足（就诊当日 ${yuan(e.balanceAtVisitFen)} 元，现在 ${yuan(e.balanceNowFen)} 元）。`,
    en: (e) => `No credit to pay with (${yuan(e.balanceAtVisitFen)} CNY at the end of the visit day, ${yuan(e.balanceNowFen)} CNY now).`,
  },
} as const satisfies Record<string, Entry>;

export type ClaimFindingCode = keyof typeof CATALOGUE;

/** Every code with its outcome, for documentation and for a reviewer's console. */
export const CLAIM_FINDING_OUTCOMES: Readonly<Record<ClaimFindingCode, FindingOutcome>> = Object.fromEntries(
  Object.entries(CATALOGUE).map(([code, entry]) => [code, entry.outcome]),
) as Record<ClaimFindingCode, FindingOutcome>;

/** A finding with its sentences. A doubt is uncertain by definition, whatever the caller says. */
export function finding(code: ClaimFindingCode, ground: FindingGround, evidence: Evidence): ClaimFinding {
  const entry: Entry = CATALOGUE[code];
  return { code, outcome: entry.outcome, ground: entry.outcome === 'doubt' ? 'uncertain' : ground, zh: entry.zh(evidence), en: entry.en(evidence), evidence };
}
