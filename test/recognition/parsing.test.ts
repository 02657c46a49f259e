import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normaliseChargeCategory } from '../../src/recognition/categories.ts';
import { parseQrPayload } from '../../src/recognition/qr-payload.ts';
import { groupIntoLines, normaliseText, type TextPiece } from '../../src/recognition/text-lines.ts';
import { decodeCtc, decodeWithin } from '../../src/recognition/ocr/ctc.ts';
import { unifyIdeographs } from '../../src/recognition/pdf.ts';
import { textBoxesFromProbabilities } from '../../src/recognition/ocr/text-boxes.ts';

test('VAT invoice QR payloads parse; anything else stays opaque', () => {
  const vat = parseQrPayload('01,10,033001900211,12345678,106.19,20240315,12345678901234567890,ABCD');
  assert.deepEqual(vat, {
    format: 'vat',
    raw: '01,10,033001900211,12345678,106.19,20240315,12345678901234567890,ABCD',
    invoiceType: '10',
    invoiceCode: '033001900211',
    invoiceNumber: '12345678',
    amountFen: 10619,
    issueDate: '2024-03-15',
    checkCode: '12345678901234567890',
  });
  // Fully electronic invoices (全电) have no code and a 20-digit number.
  const digital = parseQrPayload('01,32,,24332000000012345678,50.00,20241101,,1A2B');
  assert.equal(digital.format, 'vat');
  assert.equal(digital.format === 'vat' && digital.invoiceNumber, '24332000000012345678');
  for (const raw of ['https://example.invalid/verify?id=1', '01,10,abc,123,1.00,20240101,x', '01,10,12345678,1234567890,1.00,2024-01-01,x', '']) {
    assert.deepEqual(parseQrPayload(raw), { format: 'opaque', raw }, raw);
  }
});

test('charge item names map to the programme categories', () => {
  const cases: [string, string][] = [
    ['挂号费', 'registration'], ['诊察费', 'consultation'], ['诊疗费', 'consultation'], ['西药费', 'western_medicine'],
    ['中成药费', 'chinese_patent_medicine'], ['中草药费', 'chinese_herbal_medicine'], ['中药饮片', 'chinese_herbal_medicine'],
    ['检查费', 'examination'], ['CT检查费', 'examination'], ['化验费', 'laboratory'], ['治疗费', 'treatment'], ['手术费', 'surgery'],
    ['床位费', 'bed'], ['护理费', 'nursing'], ['卫生材料费', 'materials'], ['阿莫西林胶囊', 'western_medicine'],
    ['六味地黄丸', 'chinese_patent_medicine'], ['停车费', 'other'],
  ];
  for (const [name, category] of cases) assert.equal(normaliseChargeCategory(name), category, name);
});

function piece(text: string, x0: number, y0: number, width = 100, height = 20, confidence = 0.99): TextPiece {
  return { text, confidence, x0, x1: x0 + width, y0, y1: y0 + height };
}

test('text is normalised to half-width without spaces', () => {
  assert.equal(normaliseText('票据代码：５１ ２３（电子）'), '票据代码:5123(电子)');
});

test('radical code points from PDF text layers become the ideographs printed', () => {
  assert.equal(unifyIdeographs('⻔诊交款⼈ 城乡居⺠ 个⼈账⼾ ⾦额'), '门诊交款人 城乡居民 个人账户 金额');
});

test('pieces group into lines left to right, even along a sloping line', () => {
  const level = groupIntoLines([piece('b', 300, 102), piece('c', 20, 150), piece('a', 20, 100)]);
  assert.deepEqual(level.map((l) => l.text), ['a b', 'c']);
  // A line dropping 3 px per 100 px: 1,000 px along it, the piece sits a full line height lower.
  const pieces = [piece('left', 0, 100), piece('right', 1000, 130), piece('next', 0, 128)];
  assert.deepEqual(groupIntoLines(pieces).map((l) => l.text), ['left', 'next right']);
  const measured = pieces.map((p) => ({ ...p, slope: p.text === 'next' ? undefined : 0.03 }));
  assert.deepEqual(groupIntoLines(measured).map((l) => l.text), ['left right', 'next']);
  // A phone held at an angle: the top line drops to the right, the one below rises. Each piece's own
  // slope, as the detector measured it, carries the line from neighbour to neighbour.
  const converging = [
    { ...piece('top-a', 0, 100), slope: 0.04 }, { ...piece('top-b', 500, 120), slope: 0.04 }, { ...piece('top-c', 1000, 140), slope: 0.04 },
    { ...piece('low-a', 0, 150), slope: -0.02 }, { ...piece('low-b', 500, 140), slope: -0.02 }, { ...piece('low-c', 1000, 130), slope: -0.02 },
  ];
  assert.deepEqual(groupIntoLines(converging).map((l) => l.text), ['top-a top-b top-c', 'low-a low-b low-c']);
});

test('greedy CTC decoding drops blanks and repeats and reports mean confidence', () => {
  const dictionary = ['票', '据'];
  const classes = dictionary.length + 2; // blank, dictionary, space
  const steps = [[0.1, 0.8, 0.05, 0.05], [0.1, 0.7, 0.1, 0.1], [0.9, 0.05, 0.05, 0], [0.1, 0.1, 0.6, 0.2], [0.1, 0.1, 0.2, 0.6]];
  const decoded = decodeCtc(Float32Array.from(steps.flat()), steps.length, classes, dictionary);
  assert.equal(decoded.text, '票据 ');
  assert.ok(Math.abs(decoded.confidence - (0.8 + 0.6 + 0.6) / 3) < 1e-6);
  assert.deepEqual(decodeCtc(new Float32Array(classes * 2).fill(0).map((_, i) => (i % classes === 0 ? 1 : 0)), 2, classes, dictionary), { text: '', confidence: 0 });
});

test('a field read again with its alphabet takes the step\'s likeliest allowed character, never drops one', () => {
  const dictionary = ['登', '壹', '仟', '元', '防', '(', '1'];
  const classes = dictionary.length + 2;
  const step = (probabilities: Record<string, number>): number[] => {
    const row = new Array<number>(classes).fill(0);
    for (const [char, p] of Object.entries(probabilities)) row[char === '' ? 0 : dictionary.indexOf(char) + 1] = p;
    return row;
  };
  // 登仟元(1 read greedily; 壹 is the first step's second candidate
  const rows = [step({ 登: 0.5, 壹: 0.2, '': 0.1 }), step({ '': 0.9 }), step({ 仟: 0.9 }), step({ 元: 0.8 }), step({ '(': 0.9 }), step({ 1: 0.9 })];
  const decoded = decodeCtc(Float32Array.from(rows.flat()), rows.length, classes, dictionary);
  assert.equal(decoded.text, '登仟元(1');
  const numerals = (ch: string): boolean => '壹仟元'.includes(ch);
  const reread = decodeWithin(decoded.steps!, 0, 3, numerals);
  assert.equal(reread?.text, '壹仟元');
  assert.ok(Math.abs(reread!.confidence - (0.2 + 0.9 + 0.8) / 3) < 1e-6);
  // 防 with no numeral among its candidates: a blank there would make another amount
  const lost = [step({ 防: 0.6, '': 0.3 }), step({ 仟: 0.9 })];
  const lostDecoded = decodeCtc(Float32Array.from(lost.flat()), lost.length, classes, dictionary);
  assert.equal(decodeWithin(lostDecoded.steps!, 0, 2, numerals), null);
});

test('probability maps become boxes around each text blob, grown back by the unclip ratio', () => {
  const width = 60;
  const height = 30;
  const map = new Float32Array(width * height);
  const blob = (x0: number, y0: number, x1: number, y1: number, p: number): void => {
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) map[y * width + x] = p;
  };
  blob(5, 5, 25, 11, 0.9);
  blob(35, 5, 55, 11, 0.4); // above the pixel threshold, below the box threshold
  blob(5, 20, 7, 21, 0.9); // too small
  const boxes = textBoxesFromProbabilities(map, width, height);
  assert.equal(boxes.length, 1);
  const [box] = boxes;
  assert.ok(box!.x0 < 5 && box!.x1 > 25 && box!.y0 < 5 && box!.y1 > 11, JSON.stringify(box));
  assert.ok(Math.abs(box!.score - 0.9) < 1e-6);
});
