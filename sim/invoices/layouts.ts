import { formatAmountInWords } from '../../src/recognition/amount-words.ts';
import { formatFenAsYuan } from '../../src/shared/money.ts';
import type { InvoiceTruth } from './content.ts';
import type { Picker } from './random.ts';
import { HEI, SANS, SERIF, line, qrCode, seal, svgDocument, text, watermark } from './svg.ts';

export interface RenderedSvg {
  readonly svg: string;
  readonly width: number;
  readonly height: number;
}

const STAFF = ['李梅', '王芳', '张丽', '陈静', '刘洋', '赵敏'];

function paymentLines(t: InvoiceTruth): string[] {
  return [
    `医保统筹基金支付：${formatFenAsYuan(t.payment.poolingFundFen)}`,
    `个人账户支付：${formatFenAsYuan(t.payment.personalAccountFen)}`,
    `个人现金支付：${formatFenAsYuan(t.payment.personalCashFen)}`,
    ...(t.otherFunds ?? []).map((f) => `${f.label}：${formatFenAsYuan(f.fen)}`),
  ];
}

/** Header, payer block, total rows, notes and issuer shared by the fiscal e-bill layouts. */
function fiscalBill(t: InvoiceTruth, rand: Picker, tableRows: (top: number) => { svg: string[]; bottom: number }): RenderedSvg {
  const width = 1400;
  const font = rand.pick([SERIF, SANS]);
  const valueFont = rand.pick([SANS, SERIF]);
  const title = `${t.province}医疗${t.kind === 'inpatient' ? '住院' : (t.outpatientWord ?? '门诊')}收费票据（电子）`;
  const qrLeft = rand.chance(0.5);
  const body: string[] = [];
  body.push(text(width / 2, 82, title, { size: 40, font, anchor: 'middle', weight: 'bold', fill: '#1d1d1d' }));
  body.push(line(width / 2 - 330, 100, width / 2 + 330, 100, '#333', 2));
  if (t.qrPayload) body.push(qrCode(t.qrPayload, qrLeft ? 50 : width - 210, 20, 160));
  const label = (x: number, y: number, name: string, value: string): void => {
    body.push(text(x, y, `${name}：`, { font, size: 24 }));
    body.push(text(x + 26 * (name.length + 1), y, value, { font: valueFont, size: 24 }));
  };
  label(60, 230, '票据代码', t.invoiceCode ?? '');
  label(780, 230, '票据号码', t.invoiceNumber);
  if (t.department === undefined) label(60, 275, '交款人统一社会信用代码', '');
  else label(60, 275, '科室', t.department);
  label(780, 275, '校验码', t.checkCode ?? '');
  label(60, 320, '交款人', t.payerName);
  label(780, 320, '开票日期', t.issueDate);
  const table = tableRows(350);
  body.push(...table.svg);
  let y = table.bottom;
  body.push(line(50, y, width - 50, y));
  body.push(text(70, y + 38, `金额合计（大写）${formatAmountInWords(t.totalFen)}`, { font, size: 24 }));
  body.push(text(900, y + 38, `（小写）${formatFenAsYuan(t.totalFen)}`, { font, size: 24 }));
  body.push(line(50, y + 58, width - 50, y + 58));
  y += 98;
  const numberLabel = t.kind === 'inpatient' ? '住院号' : '门诊号';
  body.push(text(70, y, `备注：医保类型：${t.insuranceType}`, { font, size: 22 }));
  body.push(text(700, y, `${numberLabel}：${t.outpatientNumber ?? ''}`, { font, size: 22 }));
  y += 40;
  paymentLines(t).forEach((p, i) => body.push(text(70 + (i % 3) * 430, y + Math.floor(i / 3) * 34, p, { font, size: 22 })));
  y += 34 * Math.ceil(paymentLines(t).length / 3);
  if (t.diagnosis !== undefined) {
    body.push(text(70, y, `临床诊断：${t.diagnosis}`, { font, size: 22 }));
    y += 34;
  }
  body.push(line(50, y, width - 50, y));
  y += 60;
  body.push(text(60, y, '收款单位（章）：', { font, size: 24 }));
  body.push(text(260, y, t.issuerName, { font: valueFont, size: 24 }));
  body.push(text(820, y, `复核人：${rand.pick(STAFF)}`, { font, size: 22 }));
  body.push(text(1100, y, `收款人：${rand.pick(STAFF)}`, { font, size: 22 }));
  const height = y + 110;
  const nameWidth = [...t.issuerName].length * 24;
  const sealX = 260 + nameWidth * (0.3 + rand.next() * 0.5);
  const stamp = seal(sealX, y - 30, 80, t.issuerName, t.kind === 'inpatient' ? '住院收费专用章' : '门诊收费专用章', rand.int(-25, 25), rand.chance(0.3));
  const background = rand.pick(['#ffffff', '#fffdf7', '#fbfbf5']);
  return { svg: svgDocument(width, height, background, [watermark(width, height, `${t.province}财政厅监制`), ...body, stamp]), width, height };
}

function gridTable(t: InvoiceTruth, rand: Picker, top: number): { svg: string[]; bottom: number } {
  const svg: string[] = [line(50, top, 1350, top)];
  const cols = [70, 560, 760, 960, 1180];
  ['项目名称', '数量', '单位', '金额（元）', '备注'].forEach((h, i) => svg.push(text(cols[i]!, top + 36, h, { size: 23 })));
  svg.push(line(50, top + 52, 1350, top + 52, '#888', 1));
  let y = top + 52;
  for (const item of t.items) {
    y += 44;
    svg.push(text(cols[0]!, y - 12, item.name, { font: SANS, size: 23 }));
    svg.push(text(cols[1]!, y - 12, String(rand.int(1, 3)), { font: SANS, size: 23 }));
    svg.push(text(cols[2]!, y - 12, '项', { font: SANS, size: 23 }));
    svg.push(text(cols[3]!, y - 12, formatFenAsYuan(item.amountFen), { font: SANS, size: 23 }));
  }
  return { svg, bottom: y + 24 };
}

function pairsTable(t: InvoiceTruth, _rand: Picker, top: number): { svg: string[]; bottom: number } {
  const svg: string[] = [line(50, top, 1350, top)];
  const cols = [80, 480, 760, 1160];
  ['项目名称', '金额（元）', '项目名称', '金额（元）'].forEach((h, i) => svg.push(text(cols[i]!, top + 36, h, { size: 23 })));
  svg.push(line(50, top + 52, 1350, top + 52, '#888', 1));
  svg.push(line(700, top, 700, top + 52 + 44 * Math.ceil(t.items.length / 2) + 24, '#888', 1));
  t.items.forEach((item, i) => {
    const y = top + 52 + 44 * (Math.floor(i / 2) + 1) - 12;
    const left = i % 2 === 0;
    svg.push(text(cols[left ? 0 : 2]!, y, item.name, { font: SANS, size: 23 }));
    svg.push(text(cols[left ? 1 : 3]!, y, formatFenAsYuan(item.amountFen), { font: SANS, size: 23 }));
  });
  return { svg, bottom: top + 52 + 44 * Math.ceil(t.items.length / 2) + 24 };
}

function pharmacyReceipt(t: InvoiceTruth, rand: Picker): RenderedSvg {
  const width = 760;
  const body: string[] = [];
  body.push(text(width / 2, 70, t.issuerName, { font: HEI, size: 38, anchor: 'middle', weight: 'bold' }));
  body.push(text(width / 2, 118, '销售小票', { font: HEI, size: 28, anchor: 'middle' }));
  body.push(text(50, 180, `单据号：${t.invoiceNumber}`, { font: HEI, size: 24 }));
  body.push(text(50, 222, `日期：${t.issueDate} ${String(rand.int(8, 21)).padStart(2, '0')}:${String(rand.int(0, 59)).padStart(2, '0')}`, { font: HEI, size: 24 }));
  body.push(text(50, 264, `顾客：${t.payerName}`, { font: HEI, size: 24 }));
  body.push(text(50, 306, `医保类型：${t.insuranceType}`, { font: HEI, size: 24 }));
  body.push(line(40, 330, width - 40, 330, '#444', 2));
  body.push(text(50, 366, '品名', { font: HEI, size: 24 }));
  body.push(text(width - 50, 366, '金额', { font: HEI, size: 24, anchor: 'end' }));
  let y = 366;
  for (const item of t.items) {
    y += 46;
    body.push(text(50, y, item.name, { font: HEI, size: 24 }));
    body.push(text(width - 50, y, formatFenAsYuan(item.amountFen), { font: HEI, size: 24, anchor: 'end' }));
  }
  y += 30;
  body.push(line(40, y, width - 40, y, '#444', 2));
  y += 44;
  body.push(text(50, y, `合计：${formatFenAsYuan(t.totalFen)}`, { font: HEI, size: 26, weight: 'bold' }));
  for (const p of paymentLines(t)) {
    y += 42;
    body.push(text(50, y, p, { font: HEI, size: 24 }));
  }
  y += 70;
  body.push(text(width / 2, y, '谢谢惠顾 请保留小票', { font: HEI, size: 22, anchor: 'middle' }));
  const height = y + 60;
  return { svg: svgDocument(width, height, '#fdfdfb', body), width, height };
}

export function renderInvoice(t: InvoiceTruth, rand: Picker): RenderedSvg {
  switch (t.layout) {
    case 'outpatient-grid':
      return fiscalBill(t, rand, (top) => gridTable(t, rand, top));
    case 'outpatient-pairs':
    case 'inpatient':
      return fiscalBill(t, rand, (top) => pairsTable(t, rand, top));
    case 'pharmacy-receipt':
      return pharmacyReceipt(t, rand);
  }
}
