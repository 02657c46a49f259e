import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { importEnrolments } from '../../src/merchants/store.ts';
import type { Hospital } from '../../src/hospitals/record.ts';
import { asOps } from '../support/app.ts';
import { createClaimsHarness, invoicePhoto, multipart, waitForClaim, type ClaimsHarness } from '../support/claims.ts';
import { earnAndCollect } from '../support/credit.ts';
import { enrolment, TEST_ID_HASH_KEY } from '../support/fixtures.ts';

let h: ClaimsHarness;
before(async () => {
  // the workers read the registry's version for every photo and decision: a change is seen at once
  h = await createClaimsHarness({ hospitalsMaxStaleMs: 0 });
});
after(async () => h.close());

const DAY_MS = 86_400_000;
/** Not in seed/hospitals.csv, and unlike every name there: only the database's registry knows it. */
const NEW_HOSPITAL: Hospital = { id: 'H990001', name: '青山湖科技城医院', aliases: [], province: '浙江省', city: '杭州市', grade: '3A', ownership: 'public', type: 'general' };

async function merchantWithCredit(n: number, legalName: string) {
  const input = enrolment(n, { legalName });
  await importEnrolments(h.db.pool, [{ line: 2, input }], TEST_ID_HASH_KEY, { skipDuplicates: false });
  const { rows } = await h.db.pool.query<{ merchant_id: number }>('SELECT merchant_id FROM merchants WHERE wallet_user_id = $1', [input.walletUserId]);
  await earnAndCollect(h.db.pool, { id: rows[0]!.merchant_id, walletUserId: input.walletUserId }, 5, new Date(Date.now() - 40 * DAY_MS));
  return { id: rows[0]!.merchant_id, legalName };
}

async function claimAt(n: number, legalName: string) {
  const merchant = await merchantWithCredit(n, legalName);
  const photo = await invoicePhoto(n, legalName, { hospitals: [NEW_HOSPITAL] });
  const body = multipart([
    { field: 'merchantId', value: String(merchant.id) },
    { field: 'invoice', filename: 'invoice.jpg', type: 'image/jpeg', bytes: photo.image },
  ]);
  const res = await h.app.inject({ method: 'POST', url: '/v1/claims', headers: { ...asOps, ...body.headers }, payload: body.payload });
  assert.equal(res.statusCode, 201, res.body);
  const status = await waitForClaim(h.db.pool, res.json().id, ['paid', 'rejected', 'in_review', 'photo_requested']);
  const claim = (await h.app.inject({ method: 'GET', url: `/v1/claims/${res.json().id}`, headers: asOps })).json();
  const hospitalFindings = (claim.findings as { code: string; evidence: { hospitalId?: string; grade?: string } }[]).filter((f) => f.code.startsWith('hospital_'));
  return { status, findings: hospitalFindings.map((f) => `${f.code} ${f.evidence.hospitalId} ${f.evidence.grade ?? ''}`.trim()) };
}

test('the claim pipeline matches invoices against the database registry: an imported hospital is known, an edited grade is judged', async () => {
  const header = 'id,name,aliases,province,city,grade,ownership,type';
  const row = [NEW_HOSPITAL.id, NEW_HOSPITAL.name, '', NEW_HOSPITAL.province, NEW_HOSPITAL.city, NEW_HOSPITAL.grade, NEW_HOSPITAL.ownership, NEW_HOSPITAL.type].join(',');
  const imported = await h.app.inject({ method: 'POST', url: '/v1/hospitals:import', headers: { ...asOps, 'content-type': 'text/csv' }, payload: `${header}\n${row}\n` });
  assert.equal(imported.json().created, 1, imported.body);

  // the recognition threads matched the printed name against the imported row
  const first = await claimAt(301, '张伟');
  assert.equal(first.status, 'paid');
  assert.deepEqual(first.findings, ['hospital_in_registry H990001', 'hospital_grade_eligible H990001 3A', 'hospital_ownership_eligible H990001']);

  const edited = await h.app.inject({ method: 'PATCH', url: `/v1/hospitals/${NEW_HOSPITAL.id}`, headers: asOps, payload: { grade: '1A' } });
  assert.equal(edited.statusCode, 200, edited.body);
  const second = await claimAt(302, '王芳');
  assert.notEqual(second.status, 'paid');
  assert.deepEqual(second.findings, ['hospital_in_registry H990001', 'hospital_grade_too_low H990001 1A', 'hospital_ownership_eligible H990001']);
});
