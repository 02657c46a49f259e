/**
 * Every number and list the claim checks use is a parameter of the claim rules (DESIGN.md §1
 * "Reimbursement"), so a ruleset version can change them without code.
 */
import Type from 'typebox';
import { schemaProblems } from '../shared/schema-problem.ts';
import { CHARGE_CATEGORIES } from '../recognition/categories.ts';
import { HOSPITAL_GRADES, HOSPITAL_TYPES } from '../hospitals/record.ts';

const keywords = (description: string) => Type.Array(Type.String({ minLength: 1, maxLength: 20 }), { maxItems: 200, description });

/** One kind of care the programme does not pay for, recognised by hospital type or by words. */
export const ExclusionSchema = Type.Object(
  {
    reason: Type.String({ pattern: '^[a-z][a-z_]{1,31}$', description: 'Stable code of the exclusion, e.g. dental' }),
    zh: Type.String({ minLength: 1, description: 'What is excluded, in a few words of Chinese' }),
    en: Type.String({ minLength: 1, description: 'What is excluded, in a few words of English' }),
    hospitalTypes: Type.Array(Type.Enum([...HOSPITAL_TYPES]), { description: 'Registry hospital types whose every bill is excluded' }),
    keywords: keywords('Words that mark the care in an item or department name'),
  },
  { additionalProperties: false },
);

export const ClaimRulesSchema = Type.Object(
  {
    perClaimCapFen: Type.Integer({ minimum: 0, maximum: 100_000_000, description: 'At most this much per claim' }),
    maxVisitAgeDays: Type.Integer({ minimum: 0, maximum: 366, description: 'The visit lies at most this many days before submission' }),
    eligibleGrades: Type.Array(Type.Enum([...HOSPITAL_GRADES]), { description: 'Hospital grades whose bills are covered' }),
    eligibleOwnership: Type.Array(Type.Enum(['public', 'private']), { description: 'Hospital ownership that is covered' }),
    coveredCategories: Type.Array(Type.Enum([...CHARGE_CATEGORIES]), { description: 'Charge categories that are reimbursed' }),
    exclusions: Type.Array(ExclusionSchema),
    selfPayInsuranceTypes: keywords('A 医保类型 containing one of these means the patient paid everything'),
    minConfidence: Type.Number({ minimum: 0, maximum: 1, description: 'Fields read less surely than this are left to a reviewer' }),
    wrongPatientMinDistance: Type.Integer({ minimum: 1, maximum: 10, description: 'A confident name differing in this many characters is certainly someone else' }),
    nearDuplicateMaxDistance: Type.Integer({ minimum: 0, maximum: 64, description: 'Photos whose pHashes differ in at most this many bits are near duplicates' }),
  },
  { additionalProperties: false },
);

export type ExclusionRule = Type.Static<typeof ExclusionSchema>;
export type ClaimRules = Type.Static<typeof ClaimRulesSchema>;

/** The default ruleset, from the public descriptions of the 2019 programme. */
export const CLASSIC_2019_CLAIM_RULES: ClaimRules = {
  perClaimCapFen: 20_000,
  maxVisitAgeDays: 30,
  eligibleGrades: ['3A', '3B', '3C', '2A', '2B', '2C'],
  eligibleOwnership: ['public'],
  coveredCategories: [
    'registration',
    'consultation',
    'western_medicine',
    'chinese_patent_medicine',
    'chinese_herbal_medicine',
    'examination',
    'laboratory',
    'treatment',
  ],
  exclusions: [
    { reason: 'dental', zh: '口腔牙科', en: 'dental care', hospitalTypes: ['dental'], keywords: ['牙', '口腔', '齿', '正畸', '龋', '根管', '洁治'] },
    {
      reason: 'obstetrics',
      zh: '产科与分娩',
      en: 'obstetrics and childbirth',
      hospitalTypes: ['maternity'],
      keywords: ['产科', '妇产', '分娩', '孕', '产检', '产前', '产后', '剖宫', '顺产', '引产', '流产', '助产', '催产', '胎'],
    },
    {
      reason: 'cosmetic',
      zh: '美容整形',
      en: 'cosmetic care',
      hospitalTypes: ['cosmetic'],
      keywords: ['美容', '整形', '医美', '祛斑', '除皱', '玻尿酸', '肉毒', '脱毛', '双眼皮', '隆鼻', '吸脂', '抽脂', '植发'],
    },
    { reason: 'health_products', zh: '保健品', en: 'health products', hospitalTypes: [], keywords: ['保健品', '保健食品', '营养品', '滋补品', '膳食补充'] },
    { reason: 'fight_or_alcohol', zh: '斗殴或醉酒致伤', en: 'injuries from fights or drinking', hospitalTypes: [], keywords: ['斗殴', '打架', '互殴', '醉酒', '酗酒', '酒精中毒', '酒后'] },
  ],
  selfPayInsuranceTypes: ['自费', '非医保'],
  minConfidence: 0.9,
  wrongPatientMinDistance: 2,
  nearDuplicateMaxDistance: 6,
};

/** Null when the parameters make a valid ruleset, else the first problem (for a console or API). */
export const claimRulesProblem = schemaProblems(ClaimRulesSchema);
