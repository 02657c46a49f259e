import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractPrintedFields } from '../../src/recognition/extract.ts';
import { groupIntoLines, type TextPiece } from '../../src/recognition/text-lines.ts';

/** Lines as OCR returns them: each string is one line, pieces separated by two spaces. */
function page(...rows: string[]): ReturnType<typeof groupIntoLines> {
  const pieces: TextPiece[] = rows.flatMap((row, r) => row.split('  ').map((text, i) => ({ text, confidence: 0.97, x0: i * 400, x1: i * 400 + 300, y0: r * 40, y1: r * 40 + 24 })));
  return groupIntoLines(pieces);
}

test('an outpatient e-bill read by OCR, misreadings included, yields its fields', () => {
  const fields = extractPrintedFields(
    page(
      '浙江省医疗内诊收费票据 (电子)',
      '票据代码：33O10126  票据号码：0012345678',
      '交款人统一社会信用代码：  校验码：a1bOc3',
      '交款人!王芳  开票日期：2026-03-18',
      '项目名称  金额（元）  项目名称  金额（元）',
      '挂号费  10.00  西药费  113,45',
      '政厅监制  中草药费  20.00',
      '金额合计（大写）壹佰肆拾叁元肆角伍分  （小写）143.45',
      '备注：医保类型：职工基本医疗保险  门诊号：20260318001',
      '医保统筹基金支付：50.00  个人账户支付：3.45  个人现金支付：90.00',
      '收款单位（章）：常  杭州市第一人民医院  复核人：李梅',
    ),
    'ocr',
  );
  assert.equal(fields.kind.value, 'outpatient');
  assert.equal(fields.province?.value, '浙江省');
  assert.equal(fields.invoiceCode?.value, '33010126');
  assert.equal(fields.invoiceNumber?.value, '0012345678');
  assert.equal(fields.checkCode?.value, 'a1b0c3');
  assert.equal(fields.issueDate?.value, '2026-03-18');
  assert.equal(fields.payerName?.value, '王芳');
  assert.equal(fields.outpatientNumber?.value, '20260318001');
  assert.equal(fields.insuranceType?.value, '职工基本医疗保险');
  assert.deepEqual(
    fields.items.map((i) => [i.name, i.category, i.amountFen]),
    [['挂号费', 'registration', 1000], ['西药费', 'western_medicine', 11345], ['中草药费', 'chinese_herbal_medicine', 2000]],
  );
  assert.equal(fields.totalFen?.value, 14345);
  assert.equal(fields.totalInWordsFen?.value, 14345);
  assert.deepEqual([fields.payment.poolingFundFen?.value, fields.payment.personalAccountFen?.value, fields.payment.personalCashFen?.value], [5000, 345, 9000]);
  assert.deepEqual(fields.issuerNames.map((n) => n.value), ['常杭州市第一人民医院', '杭州市第一人民医院']);
  assert.ok(fields.invoiceNumber!.confidence > 0.9 && fields.invoiceNumber!.source === 'ocr');
});

test('labels with a character dropped or misread still find their values', () => {
  const fields = extractPrintedFields(page('金额合计(大写)陆佰玖拾捌元捌角陆分  (小)698.86', '备注:医保类型:自费  (诊号:0382186496', '医保统等基金支付:0.00  个人账户支付:0.00  个人现金支付:698.86'), 'ocr');
  assert.equal(fields.totalFen?.value, 69886);
  assert.equal(fields.outpatientNumber?.value, '0382186496');
  assert.equal(fields.payment.poolingFundFen?.value, 0);
});

test('a fiscal bill number with a digit lost is illegible rather than wrong', () => {
  const fields = extractPrintedFields(page('票据代码：33010126  票据号码：001234567'), 'ocr');
  assert.equal(fields.invoiceCode?.value, '33010126');
  assert.equal(fields.invoiceNumber, null);
});

test('a pharmacy receipt yields kind, issuer, drugs and total', () => {
  const fields = extractPrintedFields(
    page('老百姓大药房', '销售小票', '单据号：7084350625', '日期：2026-11-11 20:21', '顾客：萧娟娟', '品名  金额', '阿莫西林胶囊  6.25', '六味地黄丸  60.83', '合计：67.08'),
    'ocr',
  );
  assert.equal(fields.kind.value, 'pharmacy');
  assert.equal(fields.invoiceNumber?.value, '7084350625');
  assert.equal(fields.issueDate?.value, '2026-11-11');
  assert.equal(fields.payerName?.value, '萧娟娟');
  assert.deepEqual(fields.issuerNames.map((n) => n.value), ['老百姓大药房']);
  assert.deepEqual(fields.items.map((i) => [i.category, i.amountFen]), [['western_medicine', 625], ['chinese_patent_medicine', 6083]]);
  assert.equal(fields.totalFen?.value, 6708);
  assert.equal(fields.totalInWordsFen, null);
});

test('text that is no invoice yields kind unknown and no fields', () => {
  const fields = extractPrintedFields(page('今天天气很好', '会议纪要 2026年3月'), 'ocr');
  assert.equal(fields.kind.value, 'unknown');
  assert.equal(fields.kind.confidence, 0);
  assert.equal(fields.invoiceNumber, null);
  assert.deepEqual(fields.items, []);
});

test('a pharmacy drug name read one character off is corrected from the catalogue, the reading kept; a PDF text layer is taken as printed', () => {
  const receipt = ['老百姓大药房', '销售小票', '品名  金额', '头孢克片  109.82', '蒲地蓝消炎片  24.91', '小儿退热贴  12.00', '合计：146.73'];
  const items = extractPrintedFields(page(...receipt), 'ocr').items;
  assert.deepEqual(items, [
    { name: '头孢克肟片', printedName: '头孢克片', category: 'western_medicine', amountFen: 10982, confidence: 0.97 },
    { name: '蒲地蓝消炎片', category: 'chinese_patent_medicine', amountFen: 2491, confidence: 0.97 },
    { name: '小儿退热贴', category: 'other', amountFen: 1200, confidence: 0.97 },
  ]);
  assert.deepEqual(extractPrintedFields(page(...receipt), 'pdf').items.map((i) => [i.name, i.printedName]), [['头孢克片', undefined], ['蒲地蓝消炎片', undefined], ['小儿退热贴', undefined]]);
});

test('the department (科室) and a printed diagnosis (诊断) are read; a label with no legible value is present but unread', () => {
  const fields = extractPrintedFields(
    page('浙江省医疗门诊收费票据（电子）', '科室：口腔科  开票日期：2026-03-18', '临床诊断：慢性牙周炎', '项目名称  金额（元）', '超声诊断费  120.00'),
    'ocr',
  );
  assert.equal(fields.department?.value, '口腔科');
  assert.equal(fields.diagnosis?.value, '慢性牙周炎');
  assert.deepEqual(fields.items.map((i) => i.name), ['超声诊断费'], 'an item ending in 诊断 is no diagnosis label');
  const unread = extractPrintedFields(page('就诊科室：  开票日期：2026-03-18', '项目名称  金额（元）', '挂号费  10.00'), 'ocr');
  assert.deepEqual([unread.department?.value, unread.department?.confidence], ['', 0]);
  assert.equal(unread.diagnosis, null, 'no diagnosis printed');
});

test('every other fund in the payment split is read and summed; the pooling fund is not taken from 其他基金支付', () => {
  const fields = extractPrintedFields(
    page(
      '其他基金支付：5.00  大病保险：12.00',
      '医保统筹基金支付：50.00  个人账户支付：3.45  个人现金支付：40.00',
      '公务员补助：8.00  其他支付：3.00',
    ),
    'ocr',
  );
  assert.equal(fields.payment.poolingFundFen?.value, 5000);
  assert.equal(fields.payment.otherFundsFen?.value, 2800, '5.00 + 12.00 + 8.00 + 3.00');
  const smudged = extractPrintedFields(page('医保统筹基金支付：50.00  大病保险：', '个人现金支付：40.00'), 'ocr');
  assert.deepEqual([smudged.payment.otherFundsFen?.value, smudged.payment.otherFundsFen?.confidence], [0, 0], 'a fund printed with no legible amount leaves the split in doubt');
  assert.equal(extractPrintedFields(page('医保统筹基金支付：50.00'), 'ocr').payment.otherFundsFen, null);
});

test('variant glyphs OCR gives for 门诊 in the title still read as an outpatient bill', () => {
  for (const title of ['浙江省医疗內诊收费票据（电子）', '浙江省医疗門诊收费票据（电子）', '浙江省医疗内诊收费票据（电子）']) {
    assert.equal(extractPrintedFields(page(title), 'ocr').kind.value, 'outpatient', title);
  }
});

test('a bill whose title names no kind is classified from its patient-number label or its seal', () => {
  const rows = (title: string, numberRow: string, seal = '收款单位（章）：杭州市第一人民医院'): ReturnType<typeof page> =>
    page(title, '票据代码：33010126  票据号码：0012345678', '金额合计（大写）壹佰元整  （小写）100.00', numberRow, seal);
  const cases: [ReturnType<typeof page>, string][] = [
    [rows('浙江省医疗收费票据（电子）', '备注：医保类型：自费  门诊号：20260318001'), 'outpatient'],
    [rows('浙江省医疗收费票据（电子）', '备注：医保类型：自费  住院号：Z2026031'), 'inpatient'],
    // the title misread past recognition, the number's label lost, the seal still legible
    [rows('浙江省医疗门论收贵票据', '备注：医保类型：自费', '收款单位（章）：杭州市第一人民医院  门诊收费专用章'), 'outpatient'],
    // a title that names the kind wins over the labels
    [rows('浙江省医疗住院收费票据（电子）', '备注：门诊号：20260318001'), 'inpatient'],
    [rows('浙江省医疗收费票据（电子）', '备注：医保类型：自费'), 'unknown'],
  ];
  for (const [lines, kind] of cases) assert.equal(extractPrintedFields(lines, 'ocr').kind.value, kind, lines.map((l) => l.text).join(' / '));
});

test('a total in words with a look-alike is read again with the numerals, never cut to a valid prefix', () => {
  // 叁仟元零垫角: the greedy match stops at 垫, and 叁仟元零 alone would parse as 3,000 yuan
  const cut = extractPrintedFields(page('金额合计(大写)叁仟元零垫角  (小写)3000.30'), 'ocr');
  assert.equal(cut.totalInWordsFen, null);
  // with the recogniser's steps, 登 is read again as its numeral candidate 壹
  const text = '金额合计(大写)登仟元整';
  const candidates = [...text].map((char) => (char === '登' ? [{ char: '登', probability: 0.4 }, { char: '壹', probability: 0.3 }] : [{ char, probability: 0.9 }]));
  const steps = { candidates, emittedAt: [...text].map((_, i) => i) };
  const lines = groupIntoLines([{ text, confidence: 0.9, x0: 0, x1: 300, y0: 0, y1: 24, steps }]);
  const reread = extractPrintedFields(lines, 'ocr').totalInWordsFen;
  assert.equal(reread?.value, 100_000);
  assert.ok(Math.abs(reread!.confidence - (0.3 + 0.9 * 3) / 4) < 1e-3);
});
