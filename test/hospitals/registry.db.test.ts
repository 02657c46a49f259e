import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { addStaffUser } from '../../src/auth/index.ts';
import { hospitalChecks } from '../../src/claims/hospital-checks.ts';
import { CLASSIC_2019_CLAIM_RULES } from '../../src/claims/rules.ts';
import { databaseHospitalRegistry } from '../../src/hospitals/index.ts';
import type { Invoice } from '../../src/recognition/index.ts';
import { localFileStore } from '../../src/storage/index.ts';
import { assertError, signInApi, TestClock } from '../auth/support.ts';
import { asOps, asReviewer, createTestApp, type TestApp } from '../support/app.ts';
import { createTestDatabase } from '../support/db.ts';
import { enrolment, enrolMerchants } from '../support/fixtures.ts';

const clock = new TestClock();
const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carepoints-hospitals-'));
let t: TestApp;
before(async () => {
  t = await createTestApp({ now: clock.now, files: localFileStore(filesDir) });
});
after(async () => {
  await t.close();
  fs.rmSync(filesDir, { recursive: true, force: true });
});

const HEADER = 'id,name,aliases,province,city,grade,ownership,type';

/** A console user's cookie, CSRF token and the console's header, as the console sends them. */
async function consoleUser(role: 'admin' | 'reviewer', username: string): Promise<Record<string, string>> {
  await addStaffUser(t.db.pool, { username, displayName: username, role, password: 'a long enough password' });
  const res = await t.app.inject({ method: 'POST', url: '/v1/staff/sessions', payload: { username, password: 'a long enough password' } });
  assert.equal(res.statusCode, 201, res.body);
  const cookie = res.cookies.find((c) => c.name === 'cp_staff')!;
  return { cookie: `cp_staff=${cookie.value}`, 'x-csrf-token': res.json().csrfToken, 'x-carepoints-app': 'console' };
}

const patch = (id: string, body: unknown, headers: Record<string, string>) => t.app.inject({ method: 'PATCH', url: `/v1/hospitals/${id}`, headers, payload: body as Record<string, unknown> });
const importCsv = (csv: string, headers: Record<string, string>) => t.app.inject({ method: 'POST', url: '/v1/hospitals:import', headers: { ...headers, 'content-type': 'text/csv' }, payload: csv });
const get = async (q: string) => (await t.app.inject({ method: 'GET', url: `/v1/hospitals?q=${encodeURIComponent(q)}`, headers: asOps })).json();
const audits = async (action: string) =>
  (await t.db.pool.query<{ actor_id: string; subject_id: string; details: Record<string, unknown> }>('SELECT actor_id, subject_id, details FROM audit_log WHERE action = $1 ORDER BY audit_id', [action])).rows;

test('the registry is seeded from seed/hospitals.csv once, however many processes read it empty at the same time', async () => {
  const db = await createTestDatabase();
  try {
    const processes = Array.from({ length: 3 }, () => databaseHospitalRegistry(db.pool));
    const registries = await Promise.all(processes.map((p) => p.current()));
    assert.deepEqual(new Set(registries.map((r) => r.hospitals.length)), new Set([772]));
    assert.equal((await db.pool.query('SELECT count(*)::int AS n FROM hospitals')).rows[0].n, 772);
    const seeds = await db.pool.query("SELECT actor_kind, details FROM audit_log WHERE action = 'hospital.seed'");
    assert.deepEqual(seeds.rows, [{ actor_kind: 'system', details: { created: 772, file: 'seed/hospitals.csv' } }]);
  } finally {
    await db.close();
  }
});

test("a console admin changes a hospital's grade, ownership and type (audited); the claim check judges by the new grade", async () => {
  const admin = await consoleUser('admin', 'admin-edit');
  const workers = databaseHospitalRegistry(t.db.pool, { maxStaleMs: 0 });
  const before = (await workers.current()).byId('H110001')!;
  assert.equal(before.grade, '3A');
  const invoice = { hospital: { printedName: before.name, hospitalId: before.id, registryName: before.name, similarity: 1, confidence: 0.99 } } as Invoice;
  const codes = (h: typeof before) => hospitalChecks(invoice, h, CLASSIC_2019_CLAIM_RULES).map((f) => f.code);
  assert.ok(codes(before).includes('hospital_grade_eligible'));

  const res = await patch('H110001', { grade: '1B', ownership: 'private' }, admin);
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(res.json(), { ...(await get('H110001')).data[0], grade: '1B', ownership: 'private' });
  assert.equal((await get('H110001')).data[0].grade, '1B', 'the list shows the change at once');
  const after = (await workers.current()).byId('H110001')!;
  assert.deepEqual([after.grade, after.ownership, after.type], ['1B', 'private', 'general']);
  assert.deepEqual(codes(after).filter((c) => c !== 'hospital_in_registry'), ['hospital_grade_too_low', 'hospital_ownership_not_covered']);

  const [audit] = await audits('hospital.change');
  assert.deepEqual(audit, { actor_id: audit!.actor_id, subject_id: 'H110001', details: { id: 'H110001', before: { grade: '3A', ownership: 'public' }, after: { grade: '1B', ownership: 'private' } } });
  assert.match(audit!.actor_id, /^ops:staff-\d+$/);

  assert.equal((await patch('H110001', { type: 'tcm' }, asOps)).json().type, 'tcm', 'the ops key may too');
  assertError(await patch('H110001', { grade: '5Z' }, admin), 400, 'invalid_field', 'grade');
  assertError(await patch('H110001', { name: 'renamed' }, admin), 400, 'unknown_field', 'name');
  assertError(await patch('H110001', {}, admin), 400, 'invalid_field');
  assertError(await patch('H999999', { grade: '3A' }, admin), 404, 'hospital_not_found', 'id');
});

test('only admins change the registry: reviewers, merchants and a console request without its CSRF token are refused', async () => {
  await enrolMerchants(t.db.pool, 1, 31);
  const merchant = await signInApi(t, clock, enrolment(31).phone);
  const asMerchant = { authorization: `Bearer ${merchant.token}` };
  const reviewer = await consoleUser('reviewer', 'reviewer-edit');
  const admin = await consoleUser('admin', 'admin-csrf');
  for (const headers of [asMerchant, asReviewer, reviewer]) {
    assertError(await patch('H110002', { grade: '1A' }, headers), 403, 'forbidden');
    assertError(await importCsv(`${HEADER}\nH110002,x,,北京市,北京市,1A,public,general\n`, headers), 403, 'forbidden');
  }
  assertError(await patch('H110002', { grade: '1A' }, { ...admin, 'x-csrf-token': 'forged' }), 403, 'csrf_token_invalid', 'x-csrf-token');
  assert.equal((await get('H110002')).data[0].grade, '3A', 'nothing changed');
  assert.equal((await t.app.inject({ method: 'GET', url: '/v1/hospitals?q=H110002', headers: reviewer })).statusCode, 200, 'reviewers still read it');
});

test('an import upserts by id and reports what it created and updated (audited); a faulty file is refused whole, every line named', async () => {
  const admin = await consoleUser('admin', 'admin-import');
  const version = async () => (await t.db.pool.query('SELECT version::int AS v FROM hospital_registry_version')).rows[0].v as number;
  const current = (await get('H110003')).data[0];
  const csv = [
    HEADER,
    `H110003,${current.name},北医三院|北大三院,北京市,北京市,3A,public,general`,
    'H990001,青山湖科技城医院,科技城医院,浙江省,杭州市,2B,public,general',
    '',
    'H990002,钱塘江滨海康复医院,,浙江省,杭州市,1A,private,specialty',
  ].join('\n');
  const h4 = (await get('H110004')).data[0];
  const unchangedRow = [h4.id, h4.name, h4.aliases.join('|'), h4.province, h4.city, h4.grade, h4.ownership, h4.type].join(',');
  const res = await importCsv(`${csv}\n${unchangedRow}\n`, admin);
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json();
  assert.deepEqual({ ...body, version: undefined }, { object: 'hospital_import', created: 2, updated: 1, unchanged: 1, version: undefined });
  assert.equal(Number(body.version), await version());
  assert.deepEqual((await get('青山湖')).data[0], { object: 'hospital', id: 'H990001', name: '青山湖科技城医院', aliases: ['科技城医院'], province: '浙江省', city: '杭州市', grade: '2B', ownership: 'public', type: 'general' });
  assert.deepEqual((await get('H110003')).data[0].aliases, ['北医三院', '北大三院']);
  const [audit] = await audits('hospital.import');
  assert.deepEqual(audit!.details, { created: ['H990001', 'H990002'], updated: [{ id: 'H110003', before: { aliases: current.aliases }, after: { aliases: ['北医三院', '北大三院'] } }], unchanged: 1 });
  assert.equal(audit!.subject_id, body.version);
  assert.equal((await importCsv(csv, asOps)).json().created, 0, 'the same file again changes nothing');

  const versionBefore = await version();
  const rowsBefore = (await t.db.pool.query('SELECT count(*)::int AS n, max(updated_at) AS at FROM hospitals')).rows[0];
  const faulty = [
    HEADER,
    'H990003,新医院,,浙江省,杭州市,3A,public,general',
    'H990004,坏等级医院,,浙江省,杭州市,5Z,public,general',
    'H990003,重复医院,,浙江省,杭州市,3A,public,general',
    '',
    'bad id!,无名医院,,浙江省,,3A,state,general',
    'H990005,多一列医院,,浙江省,杭州市,3A,public,general,extra',
  ].join('\n');
  const refused = await importCsv(faulty, admin);
  assert.equal(refused.statusCode, 422, refused.body);
  assert.equal(refused.json().error.code, 'import_refused');
  assert.deepEqual(
    refused.json().error.lines.map((l: { line: number; message: string }) => `${l.line}: ${l.message.split(' (')[0]!.split(':')[0]}`),
    [
      '3: grade "5Z" is not one of 3A, 3B, 3C, 2A, 2B, 2C, 1A, 1B, 1C, unrated',
      '4: duplicate id H990003',
      '6: id "bad id!" must be 1-32 letters, digits, "_" or "-"',
      '6: missing city',
      '6: ownership "state" is not one of public, private',
      '7: Invalid Record Length',
    ],
  );
  assert.equal(await version(), versionBefore, 'nothing was written');
  assert.deepEqual((await t.db.pool.query('SELECT count(*)::int AS n, max(updated_at) AS at FROM hospitals')).rows[0], rowsBefore);
  assert.equal((await get('H990003')).total, 0);
  assert.equal((await audits('hospital.import')).length, 2);

  assert.deepEqual(refusedLines(await importCsv('id,name\nH1,x\n', admin)), [[1, 'missing columns province, city, grade, ownership, type']]);
  assert.deepEqual(refusedLines(await importCsv(`${HEADER}\n`, admin)), [[2, 'the file has no hospitals']]);
  assertError(await t.app.inject({ method: 'POST', url: '/v1/hospitals:import', headers: { ...admin, 'content-type': 'application/json' }, payload: { csv } }), 415, 'unsupported_media_type');
  assertError(await importCsv(`${HEADER}\n${'H990009,大医院,,浙江省,杭州市,3A,public,general\n'.repeat(30_000)}`, admin), 413, 'payload_too_large');
});

function refusedLines(res: { statusCode: number; json(): { error: { lines: { line: number; message: string }[] } } }) {
  assert.equal(res.statusCode, 422);
  return res.json().error.lines.map((l) => [l.line, l.message.split(' (')[0]]);
}
