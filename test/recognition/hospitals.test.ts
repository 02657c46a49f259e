import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHospitalRegistry } from '../../src/recognition/hospitals.ts';
import { HospitalRegistryError, loadHospitalRegistry, parseHospitalsCsv } from '../../src/hospitals/record.ts';

const CSV = `id,name,aliases,province,city,grade,ownership,type
H1,杭州市第一人民医院,杭州市一医院,浙江省,杭州市,3A,public,general
H2,杭州市第二人民医院,,浙江省,杭州市,3B,public,general
H3,浙江大学医学院附属邵逸夫医院,邵逸夫医院,浙江省,杭州市,3A,public,general
H4,杭州瑞康医院,,浙江省,杭州市,unrated,private,general
`;

test('the hospital CSV parses with aliases, grades, ownership and type', () => {
  const hospitals = parseHospitalsCsv(CSV);
  assert.equal(hospitals.length, 4);
  assert.deepEqual(hospitals[0], {
    id: 'H1', name: '杭州市第一人民医院', aliases: ['杭州市一医院'], province: '浙江省', city: '杭州市', grade: '3A', ownership: 'public', type: 'general',
  });
});

test('invalid hospital rows are refused with their line number', () => {
  assert.throws(() => parseHospitalsCsv(CSV.replace('3B', '5Z')), (e: unknown) => e instanceof HospitalRegistryError && /line 3: grade "5Z"/.test(e.message));
  assert.throws(() => parseHospitalsCsv(CSV.replace('H2', 'H1')), /line 3: duplicate id H1/);
  assert.throws(() => parseHospitalsCsv(CSV.replace(',public,general\nH2', ',,general\nH2')), /line 2: missing ownership/);
  assert.throws(() => parseHospitalsCsv(CSV.replace('杭州瑞康医院', '杭州瑞康\u0000医院')), /line 5: name holds a control character/);
});

test('printed names match exactly, by alias, and despite a character hidden by the seal', () => {
  const registry = createHospitalRegistry(parseHospitalsCsv(CSV));
  assert.equal(registry.match('杭州市第一人民医院').hospital?.id, 'H1');
  assert.equal(registry.match('（章）杭州市一医院').hospital?.id, 'H1');
  assert.equal(registry.match('浙江大学医学院附属邵逸夫医').hospital?.id, 'H3');
  assert.equal(registry.match('浙江大学医学院附属邵逸天医院').hospital?.id, 'H3');
  // The rim of the seal read as a stray character in front of the name.
  assert.equal(registry.match('常浙江大学医学院附属邵逸夫医院').hospital?.id, 'H3');
});

test('a name equally close to two hospitals is ambiguous, and a stranger is unknown', () => {
  const registry = createHospitalRegistry(parseHospitalsCsv(CSV));
  const hidden = registry.match('杭州市第人民医院');
  assert.equal(hidden.hospital, null);
  assert.deepEqual(hidden.candidates.map((h) => h.id).sort(), ['H1', 'H2']);
  const stranger = registry.match('老百姓大药房');
  assert.equal(stranger.hospital, null);
  assert.deepEqual(stranger.candidates, []);
});

test('the seed registry holds hundreds of hospitals across provinces with grades', async () => {
  const registry = await loadHospitalRegistry();
  assert.ok(registry.hospitals.length >= 300, `${registry.hospitals.length}`);
  assert.ok(new Set(registry.hospitals.map((h) => h.province)).size >= 6);
  assert.ok(registry.hospitals.some((h) => h.ownership === 'private') && registry.hospitals.some((h) => h.type === 'dental'));
  for (const h of registry.hospitals) assert.equal(registry.match(h.name).hospital?.id, h.id, h.name);
});
