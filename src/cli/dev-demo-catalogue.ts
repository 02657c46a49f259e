/**
 * The demo city's catalogue: a few services a merchant can spend credit on besides claims, each
 * saying what it is and how it is used, so that the app's 兑换 tab is not empty on a first visit.
 * Added once: a resumed start finds them by sku and adds only those missing.
 */
import type pg from 'pg';
import { addItem, listItems, type ItemFields } from '../catalogue/index.ts';
import { inTransaction } from '../db/transaction.ts';

export const DEMO_CATALOGUE: readonly ItemFields[] = [
  {
    sku: 'eye-exam',
    nameZh: '视力检查',
    nameEn: 'Eye examination',
    descriptionZh: '合作眼科门诊一次视力与眼压检查。兑换后凭兑换码电话预约，到店出示兑换码即可。',
    descriptionEn: 'One sight and eye-pressure check at a partner eye clinic. Book by phone with your code and show it there.',
    priceFen: 3_000,
    active: true,
  },
  {
    sku: 'flu-vaccine',
    nameZh: '流感疫苗接种',
    nameEn: 'Flu vaccination',
    descriptionZh: '社区卫生服务中心接种一剂流感疫苗。携带身份证，出示兑换码即可接种。',
    descriptionEn: 'One flu jab at a community health centre. Bring your ID card and show your code.',
    priceFen: 6_000,
    active: true,
  },
  {
    sku: 'dental-cleaning',
    nameZh: '洁牙一次',
    nameEn: 'Dental cleaning',
    descriptionZh: '合作口腔诊所超声波洁牙一次。兑换后凭兑换码预约，就诊时出示。',
    descriptionEn: 'One ultrasonic cleaning at a partner dental clinic. Book with your code and show it at the visit.',
    priceFen: 8_000,
    active: true,
  },
  {
    sku: 'basic-checkup',
    nameZh: '基础体检套餐',
    nameEn: 'Basic health check',
    descriptionZh: '血常规、肝肾功能、血糖、血脂与心电图。凭兑换码在合作体检中心预约，空腹前往。',
    descriptionEn: 'Blood count, liver and kidney function, glucose, lipids and an ECG. Book with your code at a partner centre; come fasting.',
    priceFen: 19_900,
    active: true,
  },
];

/** Adds the demo items the catalogue lacks; returns how many it added. */
export async function seedDemoCatalogue(pool: pg.Pool): Promise<number> {
  return inTransaction(pool, async (client) => {
    const held = new Set((await listItems(client, { includeInactive: true })).map((item) => item.sku));
    const missing = DEMO_CATALOGUE.filter((item) => !held.has(item.sku));
    for (const item of missing) await addItem(client, item);
    return missing.length;
  });
}
