import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDrugCatalogue, DRUG_CATALOGUE, DrugCatalogueError, itemCategory, parseDrugCatalogue } from '../../src/recognition/drug-names.ts';
import { DRUGS, INPATIENT_ITEMS, OUTPATIENT_ITEMS } from '../../sim/invoices/content.ts';

const correct = (reading: string): string => DRUG_CATALOGUE.correct(reading).name;

test('the shipped catalogue holds hundreds of names and every name the invoice generator prints, in the same category', () => {
  assert.ok(DRUG_CATALOGUE.entries.length >= 500, `${DRUG_CATALOGUE.entries.length} names`);
  const printed = [...DRUGS, ...OUTPATIENT_ITEMS, ...INPATIENT_ITEMS].map(([name, category]) => [name, category]);
  assert.ok(printed.length > 20);
  for (const [name, category] of printed) assert.equal(DRUG_CATALOGUE.categoryOf(name!), category, name);
});

test('catalogue text with an unknown category, a name outside a section or a name twice is refused with its line', () => {
  assert.throws(() => parseDrugCatalogue('[drugs]\n阿莫西林胶囊'), (e: unknown) => e instanceof DrugCatalogueError && /line 1: "drugs" is not a charge category/.test(e.message));
  assert.throws(() => parseDrugCatalogue('# drugs\n阿莫西林胶囊'), /line 2: "阿莫西林胶囊" comes before any \[category\]/);
  assert.throws(() => parseDrugCatalogue('[western_medicine]\n阿莫西林胶囊\n\n阿莫西林胶囊'), /line 4: "阿莫西林胶囊" is listed twice/);
  assert.throws(() => parseDrugCatalogue('[western_medicine]\n阿莫西林 胶囊'), /line 2: .* is not a name/);
});

test('a drug name with one rare character misread, dropped or doubled is corrected', () => {
  assert.equal(correct('复方磺胺甲恶唑片'), '复方磺胺甲噁唑片');
  assert.equal(correct('头孢克片'), '头孢克肟片');
  assert.equal(correct('阿莫西林胶胶囊'), '阿莫西林胶囊');
  assert.equal(correct('维生素86片'), '维生素B6片');
  assert.equal(correct('维Ｃ银翅片'), '维C银翘片');
  // Two characters off a long name, every other name farther.
  assert.equal(correct('马来酸左旋氨绿地乎片'), '马来酸左旋氨氯地平片');
  assert.deepEqual(DRUG_CATALOGUE.correct('头孢克片'), { name: '头孢克肟片', corrected: true });
});

test('a reading as close to two catalogue names as to one is left as read', () => {
  // One edit from 头孢克肟胶囊 and from 头孢克洛胶囊.
  assert.deepEqual(DRUG_CATALOGUE.correct('头孢克肪胶囊'), { name: '头孢克肪胶囊', corrected: false });
  // Two edits from 盐酸二甲双胍缓释片, 盐酸二甲双胍肠溶片 and 盐酸二甲双胍片.
  assert.deepEqual(DRUG_CATALOGUE.correct('盐酸二甲双胍分散片'), { name: '盐酸二甲双胍分散片', corrected: false });
  // Two edits from 双歧杆菌三联活菌肠溶胶囊, three from 双歧杆菌三联活菌胶囊: not twice as far.
  assert.equal(DRUG_CATALOGUE.correct('双歧杆菌三联活茵肠容胶囊').corrected, false);
  // Two edits from the nearest when the runner-up is three away: not twice as far.
  const catalogue = createDrugCatalogue(parseDrugCatalogue('[western_medicine]\n甲乙丙丁戊己庚辛片\n甲乙丙丁戊子丑寅片'));
  assert.equal(catalogue.correct('甲乙丙丁戊己卯辰片').corrected, false);
  assert.equal(catalogue.correct('甲乙丙丁戊己庚辰片').name, '甲乙丙丁戊己庚辛片');
});

test('a specification after the name is kept as read while the name is corrected', () => {
  assert.equal(correct('阿莫西林胶豪0.25g*24粒'), '阿莫西林胶囊0.25g*24粒');
  assert.equal(correct('布洛芬缓释胶襄(0.3g×20粒)'), '布洛芬缓释胶囊(0.3g×20粒)');
  assert.equal(correct('复方甘草片100片'), '复方甘草片100片');
  assert.equal(correct('维生素B6片10mg*100片'), '维生素B6片10mg*100片');
  assert.equal(DRUG_CATALOGUE.categoryOf('氯雷他定片10mg*6片'), 'western_medicine');
});

test('names the catalogue does not know, and short names, stay as read', () => {
  for (const reading of ['停车费', '小儿退热贴', '检验贵', '复印病历', '氯雷他定片']) {
    assert.deepEqual(DRUG_CATALOGUE.correct(reading), { name: reading, corrected: false }, reading);
  }
});

test('categories come from the catalogue where it knows the name, from the wording otherwise', () => {
  assert.equal(itemCategory('蒲地蓝消炎片'), 'chinese_patent_medicine');
  assert.equal(itemCategory('血常规'), 'laboratory');
  assert.equal(itemCategory('胸部正侧位片'), 'examination');
  assert.equal(itemCategory('氯化钠注射液'), 'western_medicine');
  assert.equal(itemCategory('某某胶囊'), 'western_medicine');
  assert.equal(itemCategory('停车费'), 'other');
});

test('correcting 10,000 item names takes well under a second', () => {
  const names = DRUG_CATALOGUE.entries.map((e) => e.name);
  // Every third reading exact, the others with a character replaced or dropped.
  const readings = Array.from({ length: 10_000 }, (_, i) => {
    const name = [...names[(i * 7919) % names.length]!];
    const at = i % name.length;
    if (i % 3 === 1) name[at] = '口';
    else if (i % 3 === 2) name.splice(at, 1);
    return name.join('');
  });
  const t0 = performance.now();
  let corrected = 0;
  for (const reading of readings) if (DRUG_CATALOGUE.correct(reading).corrected) corrected++;
  const ms = performance.now() - t0;
  console.log(`corrected ${corrected} of 10,000 readings against ${names.length} names in ${ms.toFixed(0)} ms`);
  assert.ok(corrected > 3_000);
  assert.ok(ms < 2_000, `${ms} ms`);
});
