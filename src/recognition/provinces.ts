/** Province-level divisions by the two-digit administrative code that fiscal bill codes start with. */
export const PROVINCES_BY_CODE: Readonly<Record<string, string>> = {
  '11': '北京市', '12': '天津市', '13': '河北省', '14': '山西省', '15': '内蒙古自治区', '21': '辽宁省', '22': '吉林省',
  '23': '黑龙江省', '31': '上海市', '32': '江苏省', '33': '浙江省', '34': '安徽省', '35': '福建省', '36': '江西省',
  '37': '山东省', '41': '河南省', '42': '湖北省', '43': '湖南省', '44': '广东省', '45': '广西壮族自治区', '46': '海南省',
  '50': '重庆市', '51': '四川省', '52': '贵州省', '53': '云南省', '54': '西藏自治区', '61': '陕西省', '62': '甘肃省',
  '63': '青海省', '64': '宁夏回族自治区', '65': '新疆维吾尔自治区',
};

const SHORT_NAMES = Object.values(PROVINCES_BY_CODE).map((full) => ({ full, short: full.replace(/(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区)$/, '') }));

/** The province a title such as 浙江省医疗门诊收费票据 starts with, in its full name. */
export function provinceAtStart(text: string): string | null {
  return SHORT_NAMES.find((p) => text.startsWith(p.short))?.full ?? null;
}
