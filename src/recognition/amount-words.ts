const DIGITS: Record<string, number> = { 零: 0, 壹: 1, 贰: 2, 叁: 3, 肆: 4, 伍: 5, 陆: 6, 柒: 7, 捌: 8, 玖: 9 };
const SMALL_UNITS: Record<string, number> = { 拾: 10, 佰: 100, 仟: 1000 };
const FEN_UNITS: Record<string, number> = { 角: 10, 分: 1 };

/**
 * Parses an amount in capital numerals (大写), e.g. 壹佰贰拾叁元肆角伍分 or 叁仟元整, to fen.
 * Returns null for anything that is not a well-formed amount: a misread must not pass as a number.
 */
export function parseAmountInWords(text: string): number | null {
  const words = text.replace(/[\s⊗ⓧ※]/g, '').replace(/^人民币/, '').replace(/圆/g, '元').replace(/[整正]$/, '');
  if (words === '' || !/^[零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分]+$/.test(words)) return null;
  let totalYuan = 0;
  let section = 0;
  let digit: number | null = null;
  let fen = 0;
  let yuanSeen = false;
  let fenSeen = false;
  for (const ch of words) {
    if (ch in DIGITS) {
      if (digit !== null && DIGITS[ch] !== 0 && digit !== 0) return null;
      digit = DIGITS[ch]!;
    } else if (ch in SMALL_UNITS) {
      if (yuanSeen || fenSeen) return null;
      // 拾元 alone means ten: the leading 壹 is often omitted.
      section += (digit ?? (ch === '拾' ? 1 : NaN)) * SMALL_UNITS[ch]!;
      if (Number.isNaN(section)) return null;
      digit = null;
    } else if (ch === '万' || ch === '亿') {
      if (yuanSeen || fenSeen) return null;
      totalYuan = (totalYuan + section + (digit ?? 0)) * (ch === '万' ? 10_000 : 100_000_000);
      section = 0;
      digit = null;
    } else if (ch === '元') {
      if (yuanSeen || fenSeen) return null;
      totalYuan += section + (digit ?? 0);
      section = 0;
      digit = null;
      yuanSeen = true;
    } else {
      if (digit === null) return null;
      fen += digit * FEN_UNITS[ch]!;
      digit = null;
      fenSeen = true;
    }
  }
  if (digit !== null && digit !== 0) return null;
  if (!yuanSeen && fen === 0) return null;
  return totalYuan * 100 + fen;
}

/** The 大写 form printed on invoices; the generator and tests use it to make ground truth. */
export function formatAmountInWords(fen: number): string {
  const numerals = '零壹贰叁肆伍陆柒捌玖';
  const yuan = Math.floor(fen / 100);
  const jiao = Math.floor(fen / 10) % 10;
  const cents = fen % 10;
  const group = (n: number): string => {
    const units = ['仟', '佰', '拾', ''];
    const digits = String(n).padStart(4, '0').split('').map(Number);
    let out = '';
    let zero = false;
    digits.forEach((d, i) => {
      if (d === 0) {
        zero = out !== '';
      } else {
        if (zero) out += '零';
        out += numerals[d]! + units[i]!;
        zero = false;
      }
    });
    return out;
  };
  let text = '';
  if (yuan >= 10_000) {
    text += `${group(Math.floor(yuan / 10_000))}万`;
    const rest = yuan % 10_000;
    if (rest > 0) text += (rest < 1000 ? '零' : '') + group(rest);
  } else if (yuan > 0) {
    text += group(yuan);
  }
  if (yuan > 0) text += '元';
  if (jiao === 0 && cents === 0) return yuan === 0 ? '零元整' : `${text}整`;
  if (jiao > 0) text += `${numerals[jiao]}角`;
  else if (yuan > 0) text += '零';
  if (cents > 0) text += `${numerals[cents]}分`;
  return text;
}
