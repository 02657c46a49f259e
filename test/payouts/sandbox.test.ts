import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AlipaySdk } from 'alipay-sdk';
import type { TransferOutcome } from '../../src/payouts/index.ts';
import { APP_ID, KEYS, PAYEE, clientFor, sandboxFor, seeded, transferOf } from './harness.ts';

const TRANSFER = 'alipay.fund.trans.uni.transfer';
const OTHER_PAYEE = '2088000000000002';

/** The signed form fields alipay-sdk would send, as one list (sdkExecute signs exactly as exec does). */
function signedFields(bizContent: Record<string, unknown>, privateKey = KEYS.app.privateKeyPem): URLSearchParams {
  const sdk = new AlipaySdk({ appId: APP_ID, privateKey, keyType: 'PKCS8', alipayPublicKey: KEYS.gateway.publicKeyPem });
  return new URLSearchParams(sdk.sdkExecute(TRANSFER, { bizContent }, { bizContentAutoSnakeCase: false }));
}

function bizOf(outBizNo: string, transAmount = '1.00'): Record<string, unknown> {
  return { out_biz_no: outBizNo, trans_amount: transAmount, product_code: 'TRANS_ACCOUNT_NO_PWD', biz_scene: 'DIRECT_TRANSFER', payee_info: { identity: PAYEE, identity_type: 'ALIPAY_USER_ID' }, order_title: 't' };
}

async function post(url: string, body: string, contentType = 'application/x-www-form-urlencoded;charset=utf-8'): Promise<{ status: number; json: Record<string, Record<string, string>> | null }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
  const text = await response.text();
  try {
    return { status: response.status, json: JSON.parse(text) as Record<string, Record<string, string>> };
  } catch {
    return { status: response.status, json: null };
  }
}

function describeOutcome(outcome: TransferOutcome): string {
  if (outcome.kind === 'unknown') return `unknown:${outcome.reason}`;
  if (outcome.kind === 'failed') return `failed:${outcome.subCode}`;
  return 'success';
}

test('the same out_biz_no with another amount or payee is refused, not paid a second time', async (t) => {
  const sandbox = await sandboxFor(t);
  const client = clientFor(sandbox.url);
  const request = transferOf(100);
  assert.equal((await client.transfer(request)).kind, 'success');
  const otherAmount = await client.transfer({ ...request, amountFen: 200 });
  const otherPayee = await client.transfer({ ...request, payeeUserId: OTHER_PAYEE });
  // Not a definite failure either: the first request paid, so voiding on this answer would be wrong.
  for (const outcome of [otherAmount, otherPayee]) {
    assert.equal(outcome.kind === 'unknown' && outcome.reason, 'gateway_error');
    assert.match(outcome.kind === 'unknown' ? outcome.detail : '', /OUT_BIZ_NO_REUSED/);
  }
  assert.equal(sandbox.wallet(PAYEE), 100);
  assert.equal(sandbox.wallet(OTHER_PAYEE), 0);
  const found = await client.query(request.outBizNo);
  assert.equal(found.kind === 'success' && found.amountFen, 100);
  assert.equal(sandbox.record(request.outBizNo)?.requests, 3);
});

test('faults are deterministic given random, and the wallets always equal the successful records', async (t) => {
  const faults = { http5xx: 0.15, systemErrorBeforeApply: 0.15, definiteFailure: 0.15, systemErrorAfterApply: 0.15, dropConnectionAfterApply: 0.15 };
  const runs: string[][] = [];
  for (let run = 0; run < 2; run++) {
    const sandbox = await sandboxFor(t, { faults, random: seeded(42) });
    const client = clientFor(sandbox.url);
    const outcomes: string[] = [];
    for (let i = 0; i < 30; i++) outcomes.push(describeOutcome(await client.transfer(transferOf(100 + i, PAYEE, `DET${run}X${i}`))));
    runs.push(outcomes);
    const paid = sandbox.records().filter((r) => r.status === 'SUCCESS').reduce((sum, r) => sum + r.amountFen, 0);
    assert.equal(sandbox.wallet(PAYEE), paid);
  }
  assert.deepEqual(runs[1], runs[0]);
  assert.ok(new Set(runs[0]).size >= 4, `a varied run: ${runs[0]!.join(' ')}`);
});

test('common parameters are read from the query string or the body; a name given twice is refused', async (t) => {
  const sandbox = await sandboxFor(t);
  const allInBody = await post(sandbox.url, signedFields(bizOf('BODY1')).toString());
  assert.equal(allInBody.json?.alipay_fund_trans_uni_transfer_response?.code, '10000');
  assert.equal(sandbox.wallet(PAYEE), 100);

  const fields = signedFields(bizOf('TWICE1'));
  const twice = await post(`${sandbox.url}?app_id=${APP_ID}`, fields.toString());
  assert.equal(twice.json?.error_response?.sub_code, 'isv.invalid-parameter');
  assert.equal(sandbox.record('TWICE1'), undefined);
});

test('a request without a signature, for another app, with another sign type or altered after signing is refused', async (t) => {
  const sandbox = await sandboxFor(t);
  const cases: [string, (f: URLSearchParams) => void][] = [
    ['isv.missing-signature', (f) => f.delete('sign')],
    ['isv.invalid-app-id', (f) => f.set('app_id', '2021000000000002')],
    ['isv.invalid-signature-type', (f) => f.set('sign_type', 'RSA')],
    ['isv.invalid-signature', (f) => f.set('biz_content', JSON.stringify(bizOf('ALTERED1', '999.00')))],
    ['isv.invalid-signature', (f) => f.set('timestamp', '2020-01-01 00:00:00')],
  ];
  for (const [subCode, change] of cases) {
    const fields = signedFields(bizOf('ALTERED1'));
    change(fields);
    const { json } = await post(sandbox.url, fields.toString());
    assert.equal(json?.alipay_fund_trans_uni_transfer_response?.sub_code, subCode, fields.toString());
  }
  assert.equal(sandbox.records().length, 0);
});

test('GET, other paths, oversize and non-form bodies are refused', async (t) => {
  const sandbox = await sandboxFor(t, { maxBodyBytes: 2048 });
  assert.equal((await fetch(sandbox.url)).status, 404);
  assert.equal((await post(sandbox.url.replace('/gateway.do', '/other'), '')).status, 404);
  assert.equal((await post(sandbox.url, `biz_content=${'x'.repeat(4096)}`)).status, 413);
  const json = await post(sandbox.url, JSON.stringify(Object.fromEntries(signedFields(bizOf('JSON1')))), 'application/json');
  assert.equal(json.json?.error_response?.sub_code, 'isv.invalid-parameter');
  // Under the limit the same sandbox still answers.
  assert.equal((await post(sandbox.url, signedFields(bizOf('SMALL1')).toString())).json?.alipay_fund_trans_uni_transfer_response?.code, '10000');
});

test('the record limit refuses new orders (20000) but keeps answering the orders it has', async (t) => {
  const sandbox = await sandboxFor(t, { maxRecords: 2 });
  const client = clientFor(sandbox.url);
  const first = transferOf(100);
  const paid = await client.transfer(first);
  assert.equal((await client.transfer(transferOf(100))).kind, 'success');
  const refused = await client.transfer(transferOf(100));
  assert.equal(refused.kind === 'unknown' && refused.detail.startsWith('20000'), true, JSON.stringify(refused));
  assert.deepEqual(await client.transfer(first), paid);
  assert.equal(sandbox.records().length, 2);
  assert.equal(sandbox.wallet(PAYEE), 200);
});

test('amounts outside the transfer limits are definite failures', async (t) => {
  const sandbox = await sandboxFor(t, { minTransferFen: 10, maxTransferFen: 1000 });
  const client = clientFor(sandbox.url);
  const small = await client.transfer(transferOf(9));
  const large = await client.transfer(transferOf(1001));
  assert.equal(small.kind === 'failed' && small.subCode, 'EXCEED_LIMIT_SM_MIN_AMOUNT');
  assert.equal(large.kind === 'failed' && large.subCode, 'EXCEED_LIMIT_SM_AMOUNT');
  assert.equal((await client.transfer(transferOf(10))).kind, 'success');
  assert.equal((await client.transfer(transferOf(1000))).kind, 'success');
  assert.equal(sandbox.wallet(PAYEE), 1010);
});

test('the fault configuration is checked', async (t) => {
  const sandbox = await sandboxFor(t);
  for (const faults of [
    { http5xx: 1.5 },
    { systemErrorAfterApply: -0.1 },
    { http5xx: 0.6, dropConnectionAfterApply: 0.6 },
    { querySystemError: Number.NaN },
    { latencyMs: [5, 1] as const },
    { latencyMs: [0, 70_000] as const },
    { latencyMs: [0.5, 1] as const },
    { holdMs: -1 },
    { forcedOutcomes: { [PAYEE]: 'SUCCESS' as never } },
  ]) {
    assert.throws(() => sandbox.setFaults(faults), RangeError, JSON.stringify(faults));
  }
  sandbox.setFaults({ http5xx: 0.5, dropConnectionAfterApply: 0.5, querySystemError: 1 });
  await assert.rejects(sandboxFor(t, { maxBodyBytes: 0 }), RangeError);
  await assert.rejects(sandboxFor(t, { faults: { http5xx: 2 } }), RangeError);
});

test('close ends a held answer and its connection', async (t) => {
  let applied!: () => void;
  const appliedNow = new Promise<void>((resolve) => (applied = resolve));
  const sandbox = await sandboxFor(t, {
    faults: { timeoutAfterApply: 1, holdMs: 600_000 },
    now: () => {
      applied();
      return new Date();
    },
  });
  const pending = clientFor(sandbox.url, { timeoutMs: 60_000 }).transfer(transferOf(100));
  await appliedNow;
  await sandbox.close();
  const outcome = await pending;
  assert.equal(outcome.kind, 'unknown');
  assert.equal(sandbox.wallet(PAYEE), 100);
});
