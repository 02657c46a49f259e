import { parseAmountInWords } from './amount-words.ts';
import { decodeWithin } from './ocr/ctc.ts';
import { entryBehindReading, type ReadingSteps } from './lexicon.ts';
import { DRUG_CATALOGUE, itemCategory } from './drug-names.ts';
import { parseYuanToFen } from '../shared/money.ts';
import { PROVINCES_BY_CODE, provinceAtStart } from './provinces.ts';
import type { TextLine } from './text-lines.ts';
import type { Field, Invoice, InvoiceKind, LineItem } from './types.ts';

/** A reading of the issuer's name, with the recogniser's steps behind it where one OCR piece holds it. */
export interface IssuerReading extends Field<string> {
  readonly at?: ReadingSteps;
}

/** What the printed text says, before the registry and the QR code are consulted. */
export type PrintedFields = Omit<Invoice, 'hospital' | 'qr' | 'confidence'> & {
  /** Readings of the issuer's name, best guess first (a seal's rim can add stray characters). */
  readonly issuerNames: readonly IssuerReading[];
};

type Source = Field<unknown>['source'];

interface Hit {
  readonly groups: readonly string[];
  readonly confidence: number;
  /** The recogniser's steps behind the first group, when it lies in one OCR piece. */
  readonly firstAt: ReadingSteps | null;
}

// Label and value may be one OCR piece or two; the colon is often misread as ! ; | or dropped.
const SEP = '[:;!|.,]?\\s*';
const MONEY = '(\\d{1,9}[.,]\\d{2})(?!\\d)';

function confidenceOf(line: TextLine, from: number, to: number): number {
  let offset = 0;
  let confidence = 1;
  for (const piece of line.pieces) {
    const end = offset + piece.text.length;
    if (end > from && offset < to) confidence = Math.min(confidence, piece.confidence);
    offset = end + 1;
  }
  return confidence;
}

/** The steps behind the text from `from` to `to` of a line, when one piece holds it all. */
function stepsOf(line: TextLine, from: number, to: number): ReadingSteps | null {
  let offset = 0;
  for (const piece of line.pieces) {
    const end = offset + piece.text.length;
    if (from >= offset && to <= end) return piece.steps ? { steps: piece.steps, offset: from - offset } : null;
    offset = end + 1;
  }
  return null;
}

function find(lines: readonly TextLine[], pattern: RegExp): Hit | null {
  const withIndices = pattern.hasIndices ? pattern : new RegExp(pattern.source, `${pattern.flags}d`);
  for (const line of lines) {
    const m = withIndices.exec(line.text);
    if (!m) continue;
    const first = m.indices?.[1];
    return { groups: m.slice(1).map((g) => g ?? ''), confidence: confidenceOf(line, m.index, m.index + m[0].length), firstAt: first ? stepsOf(line, first[0], first[1]) : null };
  }
  return null;
}

function field<T>(value: T, confidence: number, source: Source): Field<T> {
  return { value, confidence: Math.round(confidence * 1000) / 1000, source };
}

// Digits the recogniser can return as look-alike letters inside a numeric field.
const DIGIT_LOOKALIKES: Record<string, string> = { O: '0', o: '0', D: '0', Q: '0', I: '1', l: '1', '|': '1', Z: '2', S: '5', B: '8' };
function digitsOnly(text: string): string {
  return text.replace(/[OoDQIl|ZSB]/g, (c) => DIGIT_LOOKALIKES[c]!);
}

/** 校验码 of fiscal e-bills is lowercase hexadecimal: O/o/I/l there can only be misread digits. */
function checkCodeValue(text: string): string {
  const fixed = text.replace(/[OoIl|]/g, (c) => DIGIT_LOOKALIKES[c]!);
  return /^[0-9a-fA-F]+$/.test(fixed) ? fixed.toLowerCase() : text;
}

function money(lines: readonly TextLine[], label: string, source: Source): Field<number> | null {
  const hit = find(lines, new RegExp(`${label}${SEP}[¥￥]?${MONEY}`));
  const fen = hit ? parseYuanToFen(hit.groups[0]!.replace(',', '.')) : null;
  return hit && fen !== null ? field(fen, hit.confidence, source) : null;
}

/**
 * Every other fund's line, summed: a bill may print several (大病保险 and 公务员补助). A label whose
 * amount is illegible reads as 0 at confidence 0, so that what the patient paid is left in doubt
 * rather than taken to include an insurer's money.
 */
const OTHER_FUNDS = '(?:其[他它](?:基金)?支付|大病保险(?:支付)?|大额(?:医疗)?(?:补助|支付)|公务员(?:医疗)?补助|医疗救助(?:基金)?(?:支付)?|补充(?:医疗)?保险(?:支付)?)';
function otherFunds(lines: readonly TextLine[], source: Source): Field<number> | null {
  const hits = lines.flatMap((line) =>
    [...line.text.matchAll(new RegExp(`${OTHER_FUNDS}${SEP}(?:[¥￥]?${MONEY})?`, 'gu'))].map((m) => {
      const fen = m[1] === undefined ? null : parseYuanToFen(m[1].replace(',', '.'));
      return fen === null ? { fen: 0, confidence: 0 } : { fen, confidence: confidenceOf(line, m.index, m.index + m[0].length) };
    }),
  );
  if (hits.length === 0) return null;
  return field(
    hits.reduce((sum, h) => sum + h.fen, 0),
    Math.min(...hits.map((h) => h.confidence)),
    source,
  );
}

/**
 * A labelled text (科室, 诊断); a label printed with no legible value reads as '' at confidence 0.
 * A value that is itself followed by a colon is the next label (科室：  开票日期：), not the value.
 */
function labelledText(lines: readonly TextLine[], label: string, value: string, source: Source): Field<string> | null {
  const labelled = new RegExp(label, 'u');
  const line = lines.find((l) => labelled.test(l.text));
  if (!line) return null;
  const m = new RegExp(`${label}(${value})(?!\\p{Script=Han}*[:;!|：])`, 'u').exec(line.text);
  return m ? field(m[1]!, confidenceOf(line, m.index, m.index + m[0].length), source) : field('', 0, source);
}

const WORDS_LABEL = /大写\)?[:;!|.,]?/;
const WORD_CHARS = new Set('人民币零壹贰叁肆伍陆柒捌玖拾佰仟万亿元圆角分整正');
// Where the words end when they share a piece with the figures: (小写) or a digit.
const WORDS_END = /[(\d.:;A-Za-z]/;

/**
 * The total in capital numerals (大写). A reading the parser refuses is read again from the
 * recogniser's steps with the numerals' alphabet only: in small print the greedy reading takes a
 * look-alike (壹 as 登 or 垫, 陆 as 防) whose numeral is the step's next candidate.
 */
function amountInWords(lines: readonly TextLine[], source: Source): Field<number> | null {
  const greedy = find(lines, new RegExp(`${WORDS_LABEL.source}\\s*((?:人民币)?[${[...WORD_CHARS].join('')}]+)(?=$|\\s|${WORDS_END.source})`));
  // the words must end where the print does: a look-alike mid-way would otherwise cut them to a valid prefix
  const greedyFen = greedy ? parseAmountInWords(greedy.groups[0]!) : null;
  if (greedy && greedyFen !== null) return field(greedyFen, greedy.confidence, source);
  for (const line of lines) {
    const at = line.pieces.findIndex((p) => WORDS_LABEL.test(p.text));
    if (at < 0) continue;
    const label = WORDS_LABEL.exec(line.pieces[at]!.text)!;
    const labelEnd = label.index + label[0].length;
    // the words follow the label in its piece, or are the next piece
    const [piece, from] = labelEnd < line.pieces[at]!.text.length ? [line.pieces[at]!, labelEnd] : [line.pieces[at + 1], 0];
    if (!piece?.steps) return null;
    const end = piece.text.slice(from).search(WORDS_END);
    const reread = decodeWithin(piece.steps, from, end < 0 ? piece.text.length : from + end, (ch) => WORD_CHARS.has(ch));
    const fen = reread ? parseAmountInWords(reread.text) : null;
    return fen === null ? null : field(fen, Math.min(reread!.confidence, piece.confidence), source);
  }
  return null;
}

/** The schemes a bill's 医保类型 names (national basic schemes, their former names, self-pay). */
const INSURANCE_TYPES = [
  '职工基本医疗保险',
  '城镇职工基本医疗保险',
  '城乡居民基本医疗保险',
  '城镇居民基本医疗保险',
  '新型农村合作医疗',
  '公费医疗',
  '离休人员医疗保障',
  '生育保险',
  '工伤保险',
  '自费',
];

type KindRule = readonly [RegExp, InvoiceKind];

const TITLE_KINDS: readonly KindRule[] = [
  [/住院收费|住院票据/, 'inpatient'],
  // PP-OCR sometimes reads 门诊 as 内诊 / 門诊 / 內诊 (U+5167, serif titles) / 问诊 / 门论.
  [/[门内內門问]诊收费|[门內門]诊票据|[门內門]诊.?费票据/, 'outpatient'],
  [/电子发票|增值税|普通发票|专用发票/, 'vat'],
  [/药房|药店|药业|销售小票/, 'pharmacy'],
];
/**
 * Where the title names no kind (misread, or a province's title without 门诊), the bill's other print
 * does: its patient-number label (门诊号 / 住院号) and its seal (门诊收费专用章).
 */
const FIELD_KINDS: readonly KindRule[] = [
  [/住院号|住院收费专用章/, 'inpatient'],
  [/[门內門]诊号|[门內門]诊收费专用章/, 'outpatient'],
];

function firstKind(lines: readonly TextLine[], rules: readonly KindRule[], source: Source): Field<InvoiceKind> | null {
  for (const line of lines) {
    for (const [pattern, kind] of rules) {
      const m = pattern.exec(line.text);
      if (m) return field(kind, confidenceOf(line, m.index, m.index + m[0].length), source);
    }
  }
  return null;
}

function detectKind(lines: readonly TextLine[], source: Source): Field<InvoiceKind> {
  return firstKind(lines, TITLE_KINDS, source) ?? firstKind(lines, FIELD_KINDS, source) ?? field('unknown', 0, source);
}

const NAME_TOKEN = /\p{Script=Han}{2,}[\p{Script=Han}A-Za-z()]*/gu;
const HEADER_WORDS = /^(项目名称|金额|品名|数量|单位|备注|规格|金额\(元\))$/;

const CATALOGUE_NAMES = DRUG_CATALOGUE.entries.map((e) => e.name);

/** A name the recogniser read, as the catalogue's entry: the one its steps back, or else the one it is closest to. */
function catalogueName(name: string, at: ReadingSteps | null): { name: string; corrected: boolean } {
  const backed = at && DRUG_CATALOGUE.categoryOf(name) === null ? entryBehindReading(name, at, CATALOGUE_NAMES) : null;
  return backed ? { name: backed, corrected: true } : DRUG_CATALOGUE.correct(name);
}

/**
 * One item; a name the recogniser read (not a PDF's text layer) is corrected against the drug
 * catalogue when it is close to one known name and no other, and the reading kept beside it.
 */
function lineItem(name: string, at: ReadingSteps | null, nameConfidence: number, amountFen: number, amountConfidence: number, source: Source): LineItem {
  const { name: corrected, corrected: changed } = source === 'ocr' ? catalogueName(name, at) : { name, corrected: false };
  const item = { name: corrected, category: itemCategory(corrected), amountFen, confidence: Math.min(nameConfidence, amountConfidence) };
  return changed ? { ...item, printedName: name } : item;
}

/** Line items between the table header (项目名称 / 品名) and the total row: each name pairs with the next amount. */
function extractItems(lines: readonly TextLine[], source: Source): LineItem[] {
  const header = lines.findIndex((l) => /项目名称|品名/.test(l.text));
  if (header < 0) return [];
  const items: LineItem[] = [];
  for (const line of lines.slice(header + 1)) {
    if (/合计|大写|小写/.test(line.text)) break;
    let pending: { name: string; at: ReadingSteps | null; confidence: number } | null = null;
    for (const piece of line.pieces) {
      for (const { 0: token, index } of piece.text.matchAll(new RegExp(`${MONEY}|${NAME_TOKEN.source}`, 'gu'))) {
        const fen = /^\d/.test(token) ? parseYuanToFen(token.replace(',', '.')) : null;
        if (fen !== null) {
          if (pending) items.push(lineItem(pending.name, pending.at, pending.confidence, fen, piece.confidence, source));
          pending = null;
        } else if (!HEADER_WORDS.test(token)) {
          // Between two names with no amount, keep a known charge name over noise (a watermark fragment).
          const known = pending !== null && itemCategory(pending.name) !== 'other' && itemCategory(token) === 'other';
          if (!known) pending = { name: token, at: piece.steps ? { steps: piece.steps, offset: index } : null, confidence: piece.confidence };
        }
      }
    }
  }
  return items;
}

function issuerNames(lines: readonly TextLine[], kind: InvoiceKind, source: Source): IssuerReading[] {
  if (kind === 'pharmacy') {
    const title = lines.find((l) => /药房|药店|药业/.test(l.text));
    return title ? [field(title.text.replace(/\s/g, ''), Math.min(...title.pieces.map((p) => p.confidence)), source)] : [];
  }
  const line = lines.find((l) => /收款单位|收费单位/.test(l.text));
  if (!line) return [];
  const names: IssuerReading[] = [];
  const after = /(?:收款单位|收费单位)(?:\(章\)|章)?[:;!|.,]?\s*(.*?)\s*(?:复核人|收款人|$)/d.exec(line.text);
  if (after && after[1]) {
    const at = stepsOf(line, after.indices![1]![0], after.indices![1]![1]);
    names.push({ ...field(after[1].replace(/\s/g, ''), confidenceOf(line, after.index, after.index + after[0].length), source), ...(at && { at }) });
  }
  for (const piece of line.pieces) {
    const name = piece.text.replace(/^.*(?:收款单位|收费单位)(?:\(章\)|章)?[:;!|.,]?/, '');
    const at = piece.steps && { steps: piece.steps, offset: piece.text.length - name.length };
    if (/医院|中心|卫生院|门诊部|诊所/.test(name) && !names.some((n) => n.value === name)) names.push({ ...field(name, piece.confidence, source), ...(at && { at }) });
  }
  return names;
}

export function extractPrintedFields(lines: readonly TextLine[], source: Source): PrintedFields {
  const kind = detectKind(lines, source);
  const code = find(lines, /票据代码[:;!|.,]?\s*([0-9OolIDQZSB]{8})(?![0-9])/);
  const invoiceCode = code ? field(digitsOnly(code.groups[0]!), code.confidence, source) : null;
  // Fiscal bill numbers have exactly 10 digits: a reading with one digit lost or doubled is illegible, not a number.
  const number = find(lines, /(?:票据号码[:;!|.,]?\s*([0-9OolIDQZSB]{10})|(?:发票号码|单据号)[:;!|.,]?\s*([0-9OolIDQZSB]{8,20}))(?![0-9])/);
  const check = find(lines, /校验码[:;!|.,]?\s*([0-9A-Za-z]{6,20})/);
  const date = find(lines, /(?:开票日期|日期)[:;!|.,]?\s*(\d{4})[-年./](\d{1,2})[-月./](\d{1,2})/);
  const payer = find(lines, /(?:交款人|顾客|患者姓名|姓名)(?!统一)[:;!|.,]?\s*(\p{Script=Han}[\p{Script=Han}·]{1,5})/u);
  // Labels are matched by their tail: the recogniser drops or swaps a leading character now and then.
  const outpatient = find(lines, /(?:诊号|住院号)[:;!|.,]?\s*([0-9A-Za-z]{4,20})/);
  const insurance = find(lines, /医保类型[:;!|.,]?\s*(\p{Script=Han}{2,12})/u);
  const title = lines.find((l) => provinceAtStart(l.text) !== null);
  const province = title
    ? field(provinceAtStart(title.text)!, Math.min(...title.pieces.map((p) => p.confidence)), source)
    : invoiceCode && PROVINCES_BY_CODE[invoiceCode.value.slice(0, 2)]
      ? field(PROVINCES_BY_CODE[invoiceCode.value.slice(0, 2)]!, invoiceCode.confidence, source)
      : null;
  return {
    kind,
    province,
    invoiceCode,
    invoiceNumber: number ? field(digitsOnly(number.groups[0] || number.groups[1]!), number.confidence, source) : null,
    checkCode: check ? field(checkCodeValue(check.groups[0]!), check.confidence, source) : null,
    issueDate: date ? field(`${date.groups[0]}-${date.groups[1]!.padStart(2, '0')}-${date.groups[2]!.padStart(2, '0')}`, date.confidence, source) : null,
    payerName: payer ? field(payer.groups[0]!, payer.confidence, source) : null,
    outpatientNumber: outpatient ? field(outpatient.groups[0]!, outpatient.confidence, source) : null,
    issuerNames: issuerNames(lines, kind.value, source),
    insuranceType: insurance ? field((insurance.firstAt && entryBehindReading(insurance.groups[0]!, insurance.firstAt, INSURANCE_TYPES)) ?? insurance.groups[0]!, insurance.confidence, source) : null,
    // the label needs its colon (often misread as ; ! |): 诊断 also ends item names (超声诊断费)
    department: labelledText(lines, '(?:就诊)?科室[:;!|：]?\\s*', '\\p{Script=Han}{2,12}', source),
    diagnosis: labelledText(lines, '(?:临床|门诊)?诊断(?:结果)?[:;!|：]\\s*', '[\\p{Script=Han}A-Za-z0-9()（）、，,]{2,40}', source),
    items: extractItems(lines, source),
    totalFen: money(lines, '(?:\\(小写?\\)|小写\\)?|(?<!金额)合计)', source),
    totalInWordsFen: amountInWords(lines, source),
    payment: {
      // 其他基金支付 ends in 基金支付 too: it is another fund's line, not the pooling fund's
      poolingFundFen: money(lines, '(?<!其[他它])基金支付', source),
      personalAccountFen: money(lines, '账户支付', source),
      personalCashFen: money(lines, '现金支付', source),
      otherFundsFen: otherFunds(lines, source),
    },
  };
}
