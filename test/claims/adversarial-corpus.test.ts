/**
 * The adversarial corpus (issue 20): bills as OCR reads them, each exclusion ground printed in each
 * place it can appear (department field, hospital name, item name, diagnosis), every form of the
 * payment split, variant title glyphs. Each case runs the recogniser's field extraction, the
 * registry match, the checks, the benefit and the decision; the expected decision and amount are
 * written by hand from DESIGN.md §1, never taken from the code.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeBenefit } from '../../src/claims/benefit.ts';
import { checkClaim } from '../../src/claims/checks.ts';
import { decideClaim } from '../../src/claims/decision.ts';
import { assembleInvoice } from '../../src/recognition/assemble.ts';
import { extractPrintedFields } from '../../src/recognition/extract.ts';
import { createHospitalRegistry } from '../../src/recognition/hospitals.ts';
import { parseHospitalsCsv } from '../../src/hospitals/record.ts';
import { groupIntoLines, type TextPiece } from '../../src/recognition/text-lines.ts';
import { claimInput, page } from './support.ts';

/** A general public 3A hospital, and general hospitals whose names carry each exclusion's words. */
const registry = createHospitalRegistry(
  parseHospitalsCsv(
    [
      'id,name,aliases,province,city,grade,ownership,type',
      'G1,杭州市第一人民医院,,浙江省,杭州市,3A,public,general',
      'N1,杭州市第二人民医院口腔分院,,浙江省,杭州市,3A,public,general',
      'N2,杭州市第二人民医院产科分院,,浙江省,杭州市,3A,public,general',
      'N3,杭州市第二人民医院美容整形中心,,浙江省,杭州市,3A,public,general',
      'N4,杭州市保健品研究所附属医院,,浙江省,杭州市,2A,public,general',
      'N5,杭州市醉酒救治中心医院,,浙江省,杭州市,2A,public,general',
    ].join('\n') + '\n',
  ),
);

interface Bill {
  title?: string;
  department?: string;
  diagnosis?: string;
  hospital?: string;
  /** Two items side by side; the total stays 123.45. */
  items?: string;
  insurance?: string;
  /** The payment lines as printed. */
  split?: readonly string[];
}

const LEGIT_SPLIT = ['医保统筹基金支付：50.00  个人账户支付：3.45  个人现金支付：70.00'];

/** A bill of 挂号费 10.00 + 西药费 113.45 = 123.45 for 王芳 (the merchant), as OCR lines (pieces two spaces apart). */
function bill(b: Bill = {}) {
  const rows = [
    b.title ?? '浙江省医疗门诊收费票据（电子）',
    '票据代码：33010126  票据号码：0012345678',
    '校验码：a1b2c3',
    `交款人：王芳  开票日期：2026-03-18${b.department === undefined ? '' : `  科室：${b.department}`}`,
    ...(b.diagnosis === undefined ? [] : [`临床诊断：${b.diagnosis}`]),
    '项目名称  金额（元）  项目名称  金额（元）',
    b.items ?? '挂号费  10.00  西药费  113.45',
    '金额合计（大写）壹佰贰拾叁元肆角伍分  （小写）123.45',
    `备注：医保类型：${b.insurance ?? '职工基本医疗保险'}  门诊号：20260318001`,
    ...(b.split ?? LEGIT_SPLIT),
    `收款单位（章）：${b.hospital ?? '杭州市第一人民医院'}  复核人：李梅`,
  ];
  const pieces: TextPiece[] = rows.flatMap((row, r) => row.split('  ').map((text, i) => ({ text, confidence: 0.97, x0: i * 400, x1: i * 400 + 300, y0: r * 40, y1: r * 40 + 24 })));
  return assembleInvoice(extractPrintedFields(groupIntoLines(pieces), 'ocr'), registry, null);
}

/** Decision and amount with ample credit (1,000 CNY at the visit and now): the bill's own figures decide. */
function judge(b: Bill) {
  const invoice = bill(b);
  const hospital = invoice.hospital?.hospitalId ? (registry.byId(invoice.hospital.hospitalId) ?? null) : null;
  const findings = checkClaim(claimInput({ pages: [page(invoice)], hospital }));
  const benefit = computeBenefit({ invoice, balanceAtVisitDayEndFen: 100_000, balanceNowFen: 100_000, rules: claimInput().rules });
  const decision = decideClaim(findings, benefit);
  return { decision: decision.decision, amountFen: decision.decision === 'approve' ? benefit.benefitFen : 0, reasons: decision.reasonCodes, zh: decision.zh, findings: [...findings, ...benefit.findings] };
}

test('the corpus base case: a legitimate bill is approved for what the patient paid (123.45 - 50.00 = 73.45)', () => {
  assert.deepEqual(judge({}).decision, 'approve');
  assert.equal(judge({}).amountFen, 7_345);
});

const GROUNDS = {
  dental: { department: '口腔科', hospital: '杭州市第二人民医院口腔分院', items: '口腔洁治费  10.00  西药费  113.45', diagnosis: '慢性牙周炎' },
  obstetrics: { department: '产科', hospital: '杭州市第二人民医院产科分院', items: '产检费  10.00  西药费  113.45', diagnosis: '早孕' },
  cosmetic: { department: '医疗美容科', hospital: '杭州市第二人民医院美容整形中心', items: '玻尿酸注射  10.00  西药费  113.45', diagnosis: '面部除皱' },
  health_products: { department: '保健品部', hospital: '杭州市保健品研究所附属医院', items: '营养品  10.00  西药费  113.45', diagnosis: '膳食补充' },
  fight_or_alcohol: { department: '醉酒观察室', hospital: '杭州市醉酒救治中心医院', items: '酒精中毒洗胃  10.00  西药费  113.45', diagnosis: '斗殴致头皮裂伤' },
} as const;

for (const [ground, places] of Object.entries(GROUNDS)) {
  for (const [place, text] of Object.entries(places)) {
    test(`excluded care (${ground}) printed in the ${place} is refused, surely, and pays nothing`, () => {
      const judged = judge({ [place]: text });
      assert.equal(judged.decision, 'reject', JSON.stringify(judged.reasons));
      assert.equal(judged.amountFen, 0);
      assert.doesNotMatch(judged.zh, /不予报销：.*不予报销/, `the reason is written once: ${judged.zh}`);
      const excluded = judged.findings.filter((f) => f.code === 'excluded_care');
      const source = { department: 'department', hospital: 'hospital_name', items: 'item', diagnosis: 'diagnosis' }[place];
      assert.ok(excluded.some((f) => f.evidence.exclusion === ground && f.evidence.source === source && f.ground === 'certain'), JSON.stringify(excluded));
    });
  }
}

test('a department or diagnosis printed but not legible leaves the exclusion check uncertain: review, never approval', () => {
  for (const b of [{ department: '' }, { diagnosis: '' }] as const) {
    const judged = judge(b);
    assert.equal(judged.decision, 'review', JSON.stringify(b));
    assert.equal(judged.findings.find((f) => f.code === 'no_excluded_care')?.ground, 'uncertain', JSON.stringify(b));
    assert.doesNotMatch(judged.zh, /[A-Za-z]/, `one language per string: ${judged.zh}`);
  }
  // an ordinary department, read surely, passes
  const ordinary = judge({ department: '内科', diagnosis: '上呼吸道感染' });
  assert.deepEqual([ordinary.decision, ordinary.amountFen], ['approve', 7_345]);
});

/** Each form of the payment split; the patient is reimbursed only what the patient paid. */
const SPLITS: readonly { name: string; split: readonly string[]; insurance?: string; decision: string; amountFen: number }[] = [
  { name: 'pooling fund, personal account and cash', split: LEGIT_SPLIT, decision: 'approve', amountFen: 7_345 },
  { name: '大病保险 beside the pooling fund', split: ['医保统筹基金支付：50.00  大病保险：12.00', '个人账户支付：3.45  个人现金支付：58.00'], decision: 'approve', amountFen: 6_145 },
  { name: '其他基金支付 and 公务员补助', split: ['医保统筹基金支付：50.00  其他基金支付：5.00  公务员补助：8.00', '个人账户支付：3.45  个人现金支付：57.00'], decision: 'approve', amountFen: 6_045 },
  { name: '其他支付 printed before the pooling fund', split: ['其他支付：20.00', '医保统筹基金支付：50.00  个人账户支付：3.45  个人现金支付：50.00'], decision: 'approve', amountFen: 5_345 },
  { name: 'self-paying (自费) with no split', split: [], insurance: '自费', decision: 'approve', amountFen: 12_345 },
  { name: 'no split on an insured bill', split: [], decision: 'review', amountFen: 0 },
  { name: 'another fund printed with its amount illegible', split: ['医保统筹基金支付：50.00  大病保险：', '个人账户支付：3.45  个人现金支付：58.00'], decision: 'review', amountFen: 0 },
  { name: 'parts that add up to more than the total', split: ['医保统筹基金支付：50.00  大病保险：80.00', '个人账户支付：3.45  个人现金支付：58.00'], decision: 'review', amountFen: 0 },
];

for (const c of SPLITS) {
  test(`payment split: ${c.name}`, () => {
    const judged = judge({ split: c.split, ...(c.insurance ? { insurance: c.insurance } : {}) });
    assert.deepEqual([judged.decision, judged.amountFen], [c.decision, c.amountFen], JSON.stringify(judged.reasons));
  });
}

test('variant glyphs of 门诊 in the title (內诊, 門诊, 内诊) read as an outpatient bill and are paid', () => {
  for (const title of ['浙江省医疗內诊收费票据（电子）', '浙江省医疗門诊收费票据（电子）', '浙江省医疗内诊收费票据（电子）']) {
    assert.deepEqual([judge({ title }).decision, judge({ title }).amountFen], ['approve', 7_345], title);
  }
});
