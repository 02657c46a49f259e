/**
 * A ruleset's parameters as the console's form shows them, read from the JSON Schema the API serves
 * with the versions (GET /v1/rulesets → paramsSchema): each with its path, its unit (from the
 * programme's names: …Fen, …Hours, …Months, …PerDay) and its bounds.
 */
export type RuleUnit = 'fen' | 'hours' | 'months' | 'perDay' | 'hourOfDay';

export interface RuleParam {
  /** Where it sits in the parameters: ['signals', 'oddHoursFrom']. */
  path: string[];
  unit: RuleUnit;
  minimum: number | null;
  maximum: number | null;
}

interface JsonSchema {
  type?: string;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, JsonSchema>;
}

export function unitOf(key: string): RuleUnit {
  if (key.startsWith('oddHours')) return 'hourOfDay';
  if (key.endsWith('Fen')) return 'fen';
  if (key.endsWith('Hours')) return 'hours';
  if (key.endsWith('Months')) return 'months';
  if (key.endsWith('PerDay')) return 'perDay';
  throw new Error(`ruleset parameter ${key} names no unit`);
}

/** The schema's integer parameters, depth first, in the schema's order. */
export function ruleParams(schema: unknown, path: string[] = []): RuleParam[] {
  return Object.entries((schema as JsonSchema).properties ?? {}).flatMap(([key, s]): RuleParam[] =>
    s.type === 'object' ? ruleParams(s, [...path, key]) : [{ path: [...path, key], unit: unitOf(key), minimum: s.minimum ?? null, maximum: s.maximum ?? null }],
  );
}

export type AccrualParams = Record<string, unknown>;

/** The parameters that differ between two rulesets, by path (`signals.oddHoursFrom`). */
export function ruleChanges(from: AccrualParams, to: AccrualParams, prefix = ''): { key: string; from: unknown; to: unknown }[] {
  return [...new Set([...Object.keys(from), ...Object.keys(to)])].flatMap((key) => {
    const a = from[key];
    const b = to[key];
    if (a && b && typeof a === 'object' && typeof b === 'object') return ruleChanges(a as AccrualParams, b as AccrualParams, `${prefix}${key}.`);
    return JSON.stringify(a) === JSON.stringify(b) ? [] : [{ key: `${prefix}${key}`, from: a, to: b }];
  });
}

/** Each parameter's name and each unit, in each language (the console's i18n carries them as rulesets.param and rulesets.unit). */
export const RULE_WORDS_ZH = {
  param: {
    creditPerPayerFen: '每位付款人奖励',
    payersPerDay: '每日计奖付款人数',
    smallPaymentBelowFen: '小额付款门槛',
    smallPaymentCreditFen: '小额付款奖励',
    welcomeCreditFen: '欢迎奖励',
    collectWindowHours: '领取时限',
    availableCapFen: '可用额度上限',
    validityMonths: '额度有效期',
    fanOutMerchantsPerDay: '付款人每日商户数上限（超过即标记）',
    nearThresholdMarginFen: '贴近门槛的金额范围（标记）',
    oddHoursFrom: '异常时段开始',
    oddHoursTo: '异常时段结束',
  },
  unit: { fen: '分', hours: '小时', months: '个月', perDay: '每天', hourOfDay: '时（0–24）' },
};

export const RULE_WORDS_EN: typeof RULE_WORDS_ZH = {
  param: {
    creditPerPayerFen: 'Credit per payer',
    payersPerDay: 'Payers earning credit a day',
    smallPaymentBelowFen: 'Small-payment threshold',
    smallPaymentCreditFen: 'Credit for a small payment',
    welcomeCreditFen: 'Welcome credit',
    collectWindowHours: 'Time to collect',
    availableCapFen: 'Cap on available credit',
    validityMonths: 'Credit validity',
    fanOutMerchantsPerDay: 'Merchants a payer may pay a day before being flagged',
    nearThresholdMarginFen: 'Margin above the threshold that is flagged',
    oddHoursFrom: 'Odd hours start',
    oddHoursTo: 'Odd hours end',
  },
  unit: { fen: 'fen', hours: 'hours', months: 'months', perDay: 'a day', hourOfDay: "o'clock (0–24)" },
};
