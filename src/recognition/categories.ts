export const CHARGE_CATEGORIES = [
  'registration',
  'consultation',
  'western_medicine',
  'chinese_patent_medicine',
  'chinese_herbal_medicine',
  'examination',
  'laboratory',
  'treatment',
  'surgery',
  'materials',
  'bed',
  'nursing',
  'other',
] as const;
export type ChargeCategory = (typeof CHARGE_CATEGORIES)[number];

// Ordered: the first pattern that matches wins, so the more specific names come first
// (中成药 before 药, 化验 before 检验).
const RULES: readonly [RegExp, ChargeCategory][] = [
  [/挂号/, 'registration'],
  [/诊察|诊疗|诊查|问诊|门诊费|专家费/, 'consultation'],
  [/中成药/, 'chinese_patent_medicine'],
  [/中草药|中药饮片|草药|饮片|颗粒剂/, 'chinese_herbal_medicine'],
  [/西药|药品|药费/, 'western_medicine'],
  [/化验|检验/, 'laboratory'],
  [/检查|放射|超声|CT|MRI|心电|彩超|透视|B超|影像/, 'examination'],
  [/手术|麻醉/, 'surgery'],
  [/治疗|注射|输液|换药|理疗|针灸|推拿/, 'treatment'],
  [/材料|耗材/, 'materials'],
  [/床位/, 'bed'],
  [/护理/, 'nursing'],
  // Pharmacy receipts list drugs, not charge categories: classical formulas and their dosage forms
  // mark Chinese patent medicines, other dosage forms Western ones.
  [/丸|口服液|板蓝根|清瘟|藿香|丹参|感冒灵|银翘|牛黄|双黄连/, 'chinese_patent_medicine'],
  [/片|胶囊|颗粒|注射液|软膏|滴眼液|糖浆|喷雾剂|混悬液|乳膏/, 'western_medicine'],
];

/** Maps a printed charge item name (项目名称) to the programme's category. */
export function normaliseChargeCategory(itemName: string): ChargeCategory {
  const name = itemName.replace(/\s/g, '');
  for (const [pattern, category] of RULES) if (pattern.test(name)) return category;
  return 'other';
}
