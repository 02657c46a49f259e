import type { ChargeCategory } from '../../src/recognition/categories.ts';
import type { Hospital } from '../../src/hospitals/record.ts';
import type { Picker } from './random.ts';

export type InvoiceLayout = 'outpatient-grid' | 'outpatient-pairs' | 'inpatient' | 'pharmacy-receipt';
export type TruthKind = 'outpatient' | 'inpatient' | 'pharmacy';

export interface TruthItem {
  readonly name: string;
  readonly category: ChargeCategory;
  readonly amountFen: number;
}

/** What is printed on a generated invoice: the ground truth that recognition is scored against. */
export interface InvoiceTruth {
  readonly layout: InvoiceLayout;
  readonly kind: TruthKind;
  /** Null where the invoice does not print it (pharmacy receipts). */
  readonly province: string | null;
  readonly invoiceCode: string | null;
  readonly invoiceNumber: string;
  readonly checkCode: string | null;
  readonly issueDate: string;
  readonly payerName: string;
  readonly outpatientNumber: string | null;
  readonly hospitalId: string | null;
  readonly issuerName: string;
  readonly insuranceType: string;
  readonly items: readonly TruthItem[];
  readonly totalFen: number;
  readonly payment: { readonly poolingFundFen: number; readonly personalAccountFen: number; readonly personalCashFen: number };
  readonly qrPayload: string | null;
  /** Printed only when given (GenerateOptions.overrides): 科室 in the header, 临床诊断 below the split. */
  readonly department?: string;
  readonly diagnosis?: string;
  /** Other funds' lines (大病保险, 公务员补助, …) printed under the split; the personal cash is less by as much. */
  readonly otherFunds?: readonly { readonly label: string; readonly fen: number }[];
  /** The title's word for 门诊 as printed, for the variant glyphs OCR returns (內诊). */
  readonly outpatientWord?: string;
}

const PROVINCE_CODES: Record<string, string> = {
  北京市: '11', 上海市: '31', 江苏省: '32', 浙江省: '33', 山东省: '37', 湖北省: '42', 广东省: '44', 四川省: '51',
};
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严覃武洪';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志新海波云峰辉鹏宇浩然子涵欣怡梓轩雨晨思远嘉琪文博晓东春梅';
const INSURANCE = ['职工基本医疗保险', '城乡居民基本医疗保险', '自费'];
// Exported: the recogniser's drug catalogue (src/recognition/drug-names.txt) must know every name printed.
export const OUTPATIENT_ITEMS: readonly (readonly [string, ChargeCategory, number, number])[] = [
  ['挂号费', 'registration', 100, 5000],
  ['诊察费', 'consultation', 500, 5000],
  ['西药费', 'western_medicine', 500, 60000],
  ['中成药费', 'chinese_patent_medicine', 500, 40000],
  ['中草药费', 'chinese_herbal_medicine', 1000, 50000],
  ['检查费', 'examination', 2000, 80000],
  ['化验费', 'laboratory', 1000, 40000],
  ['治疗费', 'treatment', 500, 30000],
  ['卫生材料费', 'materials', 100, 10000],
];
export const INPATIENT_ITEMS: readonly (readonly [string, ChargeCategory, number, number])[] = [
  ['床位费', 'bed', 5000, 200000],
  ['护理费', 'nursing', 2000, 100000],
  ['手术费', 'surgery', 50000, 900000],
  ['西药费', 'western_medicine', 5000, 500000],
  ['检查费', 'examination', 5000, 300000],
  ['化验费', 'laboratory', 5000, 200000],
  ['治疗费', 'treatment', 5000, 300000],
];
export const DRUGS: readonly (readonly [string, ChargeCategory])[] = [
  ['阿莫西林胶囊', 'western_medicine'], ['布洛芬缓释胶囊', 'western_medicine'], ['头孢克肟片', 'western_medicine'],
  ['氯雷他定片', 'western_medicine'], ['奥美拉唑肠溶胶囊', 'western_medicine'], ['盐酸二甲双胍片', 'western_medicine'],
  ['六味地黄丸', 'chinese_patent_medicine'], ['连花清瘟胶囊', 'chinese_patent_medicine'], ['藿香正气口服液', 'chinese_patent_medicine'],
  ['板蓝根颗粒', 'chinese_patent_medicine'], ['复方丹参滴丸', 'chinese_patent_medicine'],
];
const PHARMACIES = ['老百姓大药房', '益丰大药房', '大参林药店', '一心堂药店', '国大药房', '海王星辰药店'];

function isoDate(today: string, daysBack: number): string {
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - daysBack);
  return d.toISOString().slice(0, 10);
}

/** A VAT-style payload (01,type,code,number,amount,date,check,crc): the one QR format that is public. */
function vatStylePayload(code: string, number: string, totalFen: number, date: string, check: string, rand: Picker): string {
  const yuan = `${Math.floor(totalFen / 100)}.${String(totalFen % 100).padStart(2, '0')}`;
  return ['01', '32', code, number, yuan, date.replaceAll('-', ''), check, rand.digits(4).toUpperCase()].join(',');
}

/**
 * A fiscal e-bill verification URL: `d=<code>_<number>_<check>_<amount>_<yyyymmdd>` (sometimes
 * without the amount) beside signature parameters. The host is made up.
 */
function fiscalPayload(code: string, number: string, totalFen: number, date: string, check: string, rand: Picker): string {
  const yuan = `${Math.floor(totalFen / 100)}.${String(totalFen % 100).padStart(2, '0')}`;
  const fields = [code, number, check, ...(rand.chance(0.7) ? [yuan] : []), date.replaceAll('-', '')];
  const signature = Array.from({ length: 16 }, () => rand.pick([...'0123456789abcdef'])).join('');
  return `https://ebill.example.gov.cn/verify?d=${fields.join('_')}&t=1&s=${signature}`;
}

function splitPayment(totalFen: number, insurance: string, rand: Picker): InvoiceTruth['payment'] {
  if (insurance === '自费') return { poolingFundFen: 0, personalAccountFen: 0, personalCashFen: totalFen };
  const poolingFundFen = Math.floor((totalFen * rand.int(20, 70)) / 100);
  const personalAccountFen = Math.floor(((totalFen - poolingFundFen) * rand.int(0, 100)) / 100);
  return { poolingFundFen, personalAccountFen, personalCashFen: totalFen - poolingFundFen - personalAccountFen };
}

/**
 * The content of one invoice. `hospitals` are the registry entries the issuer is drawn from; `today`
 * (YYYY-MM-DD) anchors the issue date so that the same seed and day give the same invoice.
 */
export function invoiceContent(rand: Picker, layout: InvoiceLayout, hospitals: readonly Hospital[], today: string): InvoiceTruth {
  const payerName = rand.pick([...SURNAMES]) + rand.pick([...GIVEN]) + (rand.chance(0.6) ? rand.pick([...GIVEN]) : '');
  const issueDate = isoDate(today, rand.int(1, 25));
  const insuranceType = rand.pick(INSURANCE);
  if (layout === 'pharmacy-receipt') {
    const drugs = [...DRUGS].sort(() => rand.next() - 0.5).slice(0, rand.int(1, 4));
    const items = drugs.map(([name, category]) => ({ name, category, amountFen: rand.int(500, 12000) }));
    const totalFen = items.reduce((s, i) => s + i.amountFen, 0);
    return {
      layout, kind: 'pharmacy', province: null, invoiceCode: null, invoiceNumber: rand.digits(10), checkCode: null, issueDate, payerName,
      outpatientNumber: null, hospitalId: null, issuerName: rand.pick(PHARMACIES), insuranceType, items, totalFen,
      payment: splitPayment(totalFen, insuranceType, rand), qrPayload: null,
    };
  }
  const eligible = hospitals.filter((h) => PROVINCE_CODES[h.province] !== undefined && h.type !== 'community');
  const hospital = rand.pick(eligible);
  const pool = layout === 'inpatient' ? INPATIENT_ITEMS : OUTPATIENT_ITEMS;
  const chosen = [...pool].sort(() => rand.next() - 0.5).slice(0, rand.int(2, layout === 'outpatient-grid' ? 7 : 6));
  const items = chosen.map(([name, category, min, max]) => ({ name, category, amountFen: rand.int(min, max) }));
  const totalFen = items.reduce((s, i) => s + i.amountFen, 0);
  const invoiceCode = `${PROVINCE_CODES[hospital.province]}${rand.digits(2)}01${issueDate.slice(2, 4)}`;
  const invoiceNumber = rand.digits(10);
  const checkCode = Array.from({ length: 6 }, () => rand.pick([...'0123456789abcdef'])).join('');
  const qrKind = rand.next();
  const qrPayload =
    qrKind < 0.35
      ? vatStylePayload(invoiceCode, invoiceNumber, totalFen, issueDate, checkCode, rand)
      : qrKind < 0.75
        ? fiscalPayload(invoiceCode, invoiceNumber, totalFen, issueDate, checkCode, rand)
        : `EBILL:${Array.from({ length: 24 }, () => rand.pick([...'0123456789ABCDEFGHJKLMNPQRSTUVWXYZ'])).join('')}`;
  return {
    layout, kind: layout === 'inpatient' ? 'inpatient' : 'outpatient', province: hospital.province, invoiceCode, invoiceNumber, checkCode,
    issueDate, payerName, outpatientNumber: rand.digits(rand.int(8, 11)), hospitalId: hospital.id, issuerName: hospital.name,
    insuranceType, items, totalFen, payment: splitPayment(totalFen, insuranceType, rand), qrPayload,
  };
}
