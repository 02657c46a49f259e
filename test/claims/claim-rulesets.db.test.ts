/**
 * Claim rules are a versioned ruleset like accrual's (issue 22): the seeded version is the 2019
 * programme's rules, versions are published through the API, and a claim is judged by the version in
 * force when it was submitted, which it keeps.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CLASSIC_2019_CLAIM_RULES } from '../../src/claims/rules.ts';
import { asOps, asReviewer } from '../support/app.ts';
import { createClaimsHarness, type ClaimsHarness } from '../support/claims.ts';
import { assertLedgerInvariants } from '../support/ledger-invariants.ts';
import { merchantWithCredit, photoBytes, readInvoice, storedClaim } from './stored-claims.ts';
import { ocr } from './support.ts';

let h: ClaimsHarness;
before(async () => {
  h = await createClaimsHarness({ workers: false });
});
after(async () => h.close());

const publish = (payload: Record<string, unknown>) => h.app.inject({ method: 'POST', url: '/v1/claim-rulesets', headers: asOps, payload });

test('the seeded claims ruleset is the 2019 rules the checks were written with, and accrual rulesets do not list it', async () => {
  const res = await h.app.inject({ url: '/v1/claim-rulesets', headers: asOps });
  assert.equal(res.statusCode, 200, res.body);
  const { data } = res.json<{ data: { name: string; version: number; adopted: boolean; rules: unknown }[] }>();
  assert.deepEqual(
    data.map((v) => [v.name, v.version, v.adopted]),
    [['claims-classic-2019', 1, true]],
  );
  assert.deepEqual(data[0]!.rules, CLASSIC_2019_CLAIM_RULES);
  const accrual = (await h.app.inject({ url: '/v1/rulesets', headers: asOps })).json<{ data: { name: string }[] }>();
  assert.ok(accrual.data.every((v) => v.name !== 'claims-classic-2019'), JSON.stringify(accrual.data));
});

test('a version is published for the future only, with valid parameters, under a name of its own kind', async () => {
  const future = '2099-01-01T00:00:00+08:00';
  const ok = await publish({ name: 'claims-classic-2019', effectiveFrom: future, params: { ...CLASSIC_2019_CLAIM_RULES, perClaimCapFen: 15_000 } });
  assert.equal(ok.statusCode, 201, ok.body);
  assert.deepEqual([ok.json().version, ok.json().adopted, ok.json().rules.perClaimCapFen], [2, true, 15_000]);

  const past = await publish({ name: 'claims-classic-2019', effectiveFrom: '2020-01-01T00:00:00Z', params: CLASSIC_2019_CLAIM_RULES });
  assert.equal(past.statusCode, 400, past.body);
  assert.equal(past.json().error.field, 'effectiveFrom');

  const invalid = await publish({ name: 'claims-classic-2019', effectiveFrom: '2099-02-01T00:00:00Z', params: { ...CLASSIC_2019_CLAIM_RULES, minConfidence: 2 } });
  assert.equal(invalid.statusCode, 400, invalid.body);
  assert.match(invalid.json().error.field, /minConfidence/);

  const accrualName = await publish({ name: 'classic-2019', effectiveFrom: '2099-03-01T00:00:00Z', params: CLASSIC_2019_CLAIM_RULES });
  assert.equal(accrualName.statusCode, 409, accrualName.body);
  assert.equal(accrualName.json().error.code, 'ruleset_name_taken');

  const sameInstant = await publish({ name: 'claims-classic-2019', effectiveFrom: future, params: CLASSIC_2019_CLAIM_RULES });
  assert.equal(sameInstant.statusCode, 409, sameInstant.body);
  assert.equal(sameInstant.json().error.code, 'ruleset_time_taken');

  const asReviewerRes = await h.app.inject({ method: 'POST', url: '/v1/claim-rulesets', headers: asReviewer, payload: { name: 'x-1', effectiveFrom: future, params: CLASSIC_2019_CLAIM_RULES } });
  assert.equal(asReviewerRes.statusCode, 403, asReviewerRes.body);
});

test('a claim is judged by the version in force when it was submitted, and keeps its id', async () => {
  const seeded = (await h.db.pool.query<{ ruleset_id: number }>("SELECT ruleset_id::int FROM rulesets WHERE kind = 'claims' AND version = 1")).rows[0]!.ruleset_id;
  // a version that took effect an hour ago (the API refuses the past; an operator's earlier publish did this)
  const { rows } = await h.db.pool.query<{ ruleset_id: number }>(
    `INSERT INTO rulesets (kind, name, version, effective_from, adopted, params)
     VALUES ('claims', 'claims-strict', 1, now() - interval '1 hour', true, $1) RETURNING ruleset_id::int`,
    [JSON.stringify({ ...CLASSIC_2019_CLAIM_RULES, perClaimCapFen: 300 })],
  );
  const strict = rows[0]!.ruleset_id;

  const m = await merchantWithCredit(h.db.pool, 301, 10);
  const before = await storedClaim(h.db.pool, m, { read: readInvoice(m), photo: photoBytes('301-a'), phash: '0000000000000000' });
  await h.db.pool.query("UPDATE claims SET submitted_at = now() - interval '2 hours' WHERE claim_id = $1", [before]);
  const after = await storedClaim(h.db.pool, m, { read: readInvoice(m, { invoiceNumber: ocr('0000301002') }), photo: photoBytes('301-b'), phash: 'ffffffffffffffff' });

  // 5 CNY: more than the strict version allows, so only the seeded rules can approve it
  for (const [claimId, amount] of [[before, { amountFen: 500 }], [after, {}]] as const) {
    const res = await h.app.inject({ method: 'POST', url: `/v1/review/claims/${claimId}/decision`, headers: asReviewer, payload: { action: 'approve', reasonCode: 'checked_by_hand', ...amount } });
    assert.equal(res.statusCode, 200, res.body);
  }
  const judged = await h.db.pool.query<{ claim_id: string; ruleset_id: number; benefit_fen: number }>(
    'SELECT claim_id::text, ruleset_id::int, benefit_fen FROM claims WHERE claim_id = ANY($1)',
    [[before, after]],
  );
  const of = new Map(judged.rows.map((r) => [r.claim_id, r]));
  assert.equal(of.get(before)!.ruleset_id, seeded, 'submitted before the strict version: the seeded rules');
  assert.equal(of.get(before)!.benefit_fen, 500);
  assert.equal(of.get(after)!.ruleset_id, strict, 'submitted under the strict version: its rules');
  assert.equal(of.get(after)!.benefit_fen, 300, 'the strict version caps a claim at 3 CNY');
  await assertLedgerInvariants(h.db.pool);
});
