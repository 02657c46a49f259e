import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AlipaySdk } from 'alipay-sdk';
import { generateGatewayKeys, startSandboxGateway, type PayoutGateway, type QueryOutcome, type TransferOutcome, type UnknownReason } from '../../src/payouts/index.ts';
import { APP_ID, KEYS, PAYEE, clientFor, newOutBizNo, sandboxFor, scripted, transferOf } from './harness.ts';
import { startTamperingProxy } from './tamper-proxy.ts';

const TRANSFER_KEY = 'alipay_fund_trans_uni_transfer_response';

function assertUnknown(outcome: TransferOutcome | QueryOutcome, reason: UnknownReason, detail?: RegExp): void {
  assert.equal(outcome.kind, 'unknown', JSON.stringify(outcome));
  if (outcome.kind !== 'unknown') return;
  assert.equal(outcome.reason, reason, outcome.detail);
  if (detail) assert.match(outcome.detail, detail);
}

test('a transfer pays the payee once and the wallet shows it', async (t) => {
  const sandbox = await sandboxFor(t);
  const request = transferOf(12345);
  const outcome = await clientFor(sandbox.url).transfer(request);
  assert.equal(outcome.kind, 'success', JSON.stringify(outcome));
  const record = sandbox.record(request.outBizNo);
  assert.ok(record);
  assert.deepEqual(outcome, { kind: 'success', orderId: record.orderId, payFundOrderId: record.payFundOrderId, transDate: record.transDate });
  assert.equal(record.status, 'SUCCESS');
  assert.equal(record.payeeUserId, PAYEE);
  assert.equal(record.orderTitle, request.orderTitle);
  assert.equal(sandbox.wallet(PAYEE), 12345);
  assert.equal(sandbox.records().length, 1);
});

test('resending the identical request returns the first result and pays nothing more', async (t) => {
  const sandbox = await sandboxFor(t);
  const client = clientFor(sandbox.url);
  const request = transferOf(12345);
  const first = await client.transfer(request);
  const second = await client.transfer(request);
  assert.equal(first.kind, 'success');
  assert.deepEqual(second, first);
  assert.equal(sandbox.wallet(PAYEE), 12345);
  assert.equal(sandbox.records().length, 1);
  assert.equal(sandbox.record(request.outBizNo)?.requests, 2);
});

test('amounts travel as exact yuan: 1, 20000 and 12345 fen', async (t) => {
  const sandbox = await sandboxFor(t);
  const client = clientFor(sandbox.url);
  const cases: [number, string, string][] = [
    [1, '0.01', '2088000000000101'],
    [20000, '200.00', '2088000000000102'],
    [12345, '123.45', '2088000000000103'],
  ];
  for (const [fen, yuan, payee] of cases) {
    const request = transferOf(fen, payee);
    assert.equal((await client.transfer(request)).kind, 'success');
    assert.equal(sandbox.record(request.outBizNo)?.transAmount, yuan);
    assert.equal(sandbox.wallet(payee), fen);
    const found = await client.query(request.outBizNo);
    assert.equal(found.kind === 'success' && found.amountFen, fen);
  }
});

test('a 5xx is unknown; nothing was applied, the query says absent, and the identical resend pays once', async (t) => {
  const sandbox = await sandboxFor(t, { faults: { http5xx: 1 } });
  const client = clientFor(sandbox.url);
  const request = transferOf(500);
  assertUnknown(await client.transfer(request), 'http_status', /^HTTP 503$/);
  sandbox.setFaults({});
  assert.deepEqual(await client.query(request.outBizNo), { kind: 'absent' });
  assert.equal((await client.transfer(request)).kind, 'success');
  assert.equal(sandbox.wallet(PAYEE), 500);
  assert.equal(sandbox.record(request.outBizNo)?.requests, 1);
});

test('SYSTEM_ERROR before applying is unknown and the query says absent', async (t) => {
  const sandbox = await sandboxFor(t, { faults: { systemErrorBeforeApply: 1 } });
  const client = clientFor(sandbox.url);
  const request = transferOf(500);
  assertUnknown(await client.transfer(request), 'gateway_error', /^40004 SYSTEM_ERROR/);
  sandbox.setFaults({});
  assert.deepEqual(await client.query(request.outBizNo), { kind: 'absent' });
  assert.equal(sandbox.wallet(PAYEE), 0);
  assert.equal(sandbox.records().length, 0);
});

test('SYSTEM_ERROR after applying is unknown; the query says success and the wallet was paid once', async (t) => {
  const sandbox = await sandboxFor(t, { faults: { systemErrorAfterApply: 1 } });
  const client = clientFor(sandbox.url);
  const request = transferOf(700);
  assertUnknown(await client.transfer(request), 'gateway_error', /^40004 SYSTEM_ERROR/);
  sandbox.setFaults({});
  const found = await client.query(request.outBizNo);
  assert.deepEqual(found, {
    kind: 'success',
    orderId: sandbox.record(request.outBizNo)?.orderId,
    payFundOrderId: sandbox.record(request.outBizNo)?.payFundOrderId,
    amountFen: 700,
    payDate: sandbox.record(request.outBizNo)?.transDate,
  });
  assert.equal(sandbox.wallet(PAYEE), 700);
});

test('a timeout after applying is unknown; the query says success and the wallet was paid once', async (t) => {
  const sandbox = await sandboxFor(t, { faults: { timeoutAfterApply: 1, holdMs: 60_000 } });
  // long enough that the sandbox has surely applied the transfer on a loaded machine (it then holds the answer for a minute)
  const client = clientFor(sandbox.url, { timeoutMs: 3_000 });
  const request = transferOf(800);
  assertUnknown(await client.transfer(request), 'timeout', /timeout for 3000 ms/);
  sandbox.setFaults({});
  const found = await client.query(request.outBizNo);
  assert.equal(found.kind === 'success' && found.amountFen, 800);
  assert.equal(sandbox.wallet(PAYEE), 800);
  assert.equal(sandbox.record(request.outBizNo)?.requests, 1);
});

test('a dropped connection after applying is unknown; the SDK resent it once and the gateway did not pay twice', async (t) => {
  const sandbox = await sandboxFor(t, { faults: { dropConnectionAfterApply: 1 } });
  const client = clientFor(sandbox.url);
  const request = transferOf(900);
  assertUnknown(await client.transfer(request), 'connection_dropped', /other side closed/);
  // urllib (under alipay-sdk) resends once after a dropped connection; this one was dropped too.
  assert.equal(sandbox.record(request.outBizNo)?.requests, 2);
  sandbox.setFaults({});
  const found = await client.query(request.outBizNo);
  assert.equal(found.kind === 'success' && found.amountFen, 900);
  assert.equal(sandbox.wallet(PAYEE), 900);
});

test('when the SDK\'s resend after a dropped connection gets through, it returns the first result, paid once', async (t) => {
  // Two draws per request (latency, fault): the first request is dropped, the resend is not.
  const sandbox = await sandboxFor(t, { faults: { dropConnectionAfterApply: 0.5 }, random: scripted([0, 0.1, 0, 0.9]) });
  const request = transferOf(950);
  const outcome = await clientFor(sandbox.url).transfer(request);
  assert.equal(outcome.kind, 'success', JSON.stringify(outcome));
  assert.equal(outcome.kind === 'success' && outcome.orderId, sandbox.record(request.outBizNo)?.orderId);
  assert.equal(sandbox.record(request.outBizNo)?.requests, 2);
  assert.equal(sandbox.wallet(PAYEE), 950);
});

test('a definite failure is failed with its sub code, pays nothing, and the query says failed', async (t) => {
  const sandbox = await sandboxFor(t, { faults: { definiteFailure: 1 } });
  const client = clientFor(sandbox.url);
  const request = transferOf(600);
  const outcome = await client.transfer(request);
  assert.deepEqual(outcome, { kind: 'failed', code: '40004', subCode: 'PAYEE_USER_INFO_ERROR', message: '收款方用户信息不匹配' });
  assert.equal(sandbox.wallet(PAYEE), 0);
  assert.deepEqual(await client.query(request.outBizNo), { kind: 'failed', code: 'PAYEE_USER_INFO_ERROR', message: '收款方用户信息不匹配' });
  // The refusal is the order's result: asked again, with the fault gone, it is still refused, still unpaid.
  sandbox.setFaults({});
  assert.deepEqual(await client.transfer(request), outcome);
  assert.equal(sandbox.wallet(PAYEE), 0);
});

test('a definite-failure fault never rewrites an order that was paid', async (t) => {
  const sandbox = await sandboxFor(t);
  const client = clientFor(sandbox.url);
  const request = transferOf(600);
  const paid = await client.transfer(request);
  sandbox.setFaults({ definiteFailure: 1 });
  assert.deepEqual(await client.transfer(request), paid);
  assert.equal(sandbox.wallet(PAYEE), 600);
});

test('forced outcomes by payee, and payees the sandbox does not know, are definite failures', async (t) => {
  const forced = '2088000000000666';
  const sandbox = await sandboxFor(t, { faults: { forcedOutcomes: { [forced]: 'PAYEE_NOT_EXIST', '2088000000000777': 'SYSTEM_ERROR' } } });
  const client = clientFor(sandbox.url);
  const outcome = await client.transfer(transferOf(100, forced));
  assert.equal(outcome.kind === 'failed' && outcome.subCode, 'PAYEE_NOT_EXIST');
  const systemError = transferOf(100, '2088000000000777');
  assertUnknown(await client.transfer(systemError), 'gateway_error', /SYSTEM_ERROR/);
  assert.deepEqual(await client.query(systemError.outBizNo), { kind: 'absent' });
  assert.equal((await client.transfer(transferOf(100))).kind, 'success');

  const strict = await sandboxFor(t, { acceptAnyPayee: false, payees: ['2088000000000888'] });
  const strictClient = clientFor(strict.url);
  const unknownPayee = await strictClient.transfer(transferOf(100, PAYEE));
  assert.equal(unknownPayee.kind === 'failed' && unknownPayee.subCode, 'PAYEE_NOT_EXIST');
  assert.equal((await strictClient.transfer(transferOf(100, '2088000000000888'))).kind, 'success');
  assert.equal(strict.wallet(PAYEE), 0);
  assert.equal(strict.wallet('2088000000000888'), 100);
});

test('a query the gateway cannot answer is unknown', async (t) => {
  const sandbox = await sandboxFor(t);
  const client = clientFor(sandbox.url);
  const request = transferOf(100);
  await client.transfer(request);
  sandbox.setFaults({ querySystemError: 1 });
  assertUnknown(await client.query(request.outBizNo), 'gateway_error', /^20000 isp\.unknow-error/);
});

test('latency delays every answer by the configured time', async (t) => {
  const sandbox = await sandboxFor(t, { faults: { latencyMs: [150, 150] } });
  const client = clientFor(sandbox.url);
  const started = performance.now();
  assert.equal((await client.transfer(transferOf(100))).kind, 'success');
  assert.ok(performance.now() - started >= 145, `answered after ${performance.now() - started} ms`);
});

test('an answer signed with another gateway key is unknown, never success', async (t) => {
  const impostorKeys = generateGatewayKeys();
  // The impostor accepts our requests (it knows our app public key) but signs with its own key.
  const impostor = await sandboxFor(t, { gatewayPrivateKeyPem: impostorKeys.gateway.privateKeyPem });
  const client = clientFor(impostor.url);
  const request = transferOf(1000);
  assertUnknown(await client.transfer(request), 'bad_signature');
  assert.equal(impostor.record(request.outBizNo)?.status, 'SUCCESS', 'the impostor did answer success');
  assertUnknown(await client.query(request.outBizNo), 'bad_signature');
});

test('a genuine signed answer with a forged member appended after the signature is unknown', async (t) => {
  const sandbox = await sandboxFor(t, { faults: { forcedOutcomes: { [PAYEE]: 'PAYEE_NOT_EXIST' } } });
  const request = transferOf(1000);
  const forged = (answer: string) =>
    `${answer.slice(0, -1)},"${TRANSFER_KEY}":${JSON.stringify({ code: '10000', msg: 'Success', out_biz_no: request.outBizNo, order_id: 'FORGED', status: 'SUCCESS' })}}`;
  const proxyUrl = await startTamperingProxy(t, sandbox.url, forged);
  assertUnknown(await clientFor(proxyUrl).transfer(request), 'bad_signature', /not exactly/);

  // Why the client checks answers itself: alipay-sdk 4.14 alone verifies the genuine part and returns the forged one.
  const sdk = new AlipaySdk({ appId: APP_ID, privateKey: KEYS.app.privateKeyPem, keyType: 'PKCS8', alipayPublicKey: KEYS.gateway.publicKeyPem, gateway: proxyUrl, camelcase: false });
  const bizContent = { out_biz_no: request.outBizNo, trans_amount: '10.00', product_code: 'TRANS_ACCOUNT_NO_PWD', biz_scene: 'DIRECT_TRANSFER', payee_info: { identity: PAYEE, identity_type: 'ALIPAY_USER_ID' }, order_title: 't' };
  const naive = await sdk.exec('alipay.fund.trans.uni.transfer', { bizContent }, { validateSign: true });
  assert.equal(naive.order_id, 'FORGED');
  assert.equal(sandbox.wallet(PAYEE), 0);
});

test('a genuine success replayed as the answer for another out_biz_no is unknown', async (t) => {
  const sandbox = await sandboxFor(t);
  let first = '';
  const proxyUrl = await startTamperingProxy(t, sandbox.url, (answer, call) => {
    if (call === 0) first = answer;
    return first;
  });
  const client = clientFor(proxyUrl);
  assert.equal((await client.transfer(transferOf(100))).kind, 'success');
  assertUnknown(await client.transfer(transferOf(100)), 'mismatched_response');
});

test('an unsigned answer, or one whose signed member was altered, is unknown', async (t) => {
  const sandbox = await sandboxFor(t, { faults: { forcedOutcomes: { [PAYEE]: 'PAYEE_NOT_EXIST' } } });
  const unsigned = await startTamperingProxy(t, sandbox.url, (answer) => answer.replace(/,"sign":"[^"]*"/, ''));
  assertUnknown(await clientFor(unsigned).transfer(transferOf(100)), 'bad_signature');
  const altered = await startTamperingProxy(t, sandbox.url, (answer) =>
    answer.replace('"code":"40004"', '"code":"10000"').replace('"sub_code":"PAYEE_NOT_EXIST"', '"status":"SUCCESS","order_id":"X"'),
  );
  assertUnknown(await clientFor(altered).transfer(transferOf(100)), 'bad_signature');
  const garbage = await startTamperingProxy(t, sandbox.url, () => 'not json');
  assertUnknown(await clientFor(garbage).transfer(transferOf(100)), 'malformed_response');
});

test('a request signed with the wrong app key is refused by the sandbox and pays nothing', async (t) => {
  const sandbox = await sandboxFor(t);
  const stranger = clientFor(sandbox.url, { appPrivateKeyPem: generateGatewayKeys().app.privateKeyPem });
  const request = transferOf(100);
  assertUnknown(await stranger.transfer(request), 'gateway_error', /^40002 isv\.invalid-signature/);
  assertUnknown(await stranger.query(request.outBizNo), 'gateway_error', /^40002 isv\.invalid-signature/);
  assert.equal(sandbox.records().length, 0);
  assert.equal(sandbox.wallet(PAYEE), 0);
  // The same request from the right key goes through: it was the key, not the request.
  assert.equal((await clientFor(sandbox.url).transfer(request)).kind, 'success');
});

test('an unreachable gateway is unknown', async () => {
  const gone = await startSandboxGateway({ appId: APP_ID, appPublicKeyPem: KEYS.app.publicKeyPem, gatewayPrivateKeyPem: KEYS.gateway.privateKeyPem });
  await gone.close();
  assertUnknown(await clientFor(gone.url).transfer(transferOf(100)), 'connection_failed', /ECONNREFUSED/);
  assertUnknown(await clientFor(gone.url).query(newOutBizNo()), 'connection_failed');
});

test('invalid arguments are refused before anything is sent', async (t) => {
  const sandbox = await sandboxFor(t);
  const client = clientFor(sandbox.url);
  for (const amountFen of [0, -1, 1.5, Number.NaN, 10_000_000_001]) {
    await assert.rejects(client.transfer(transferOf(amountFen)), RangeError, String(amountFen));
  }
  await assert.rejects(client.transfer(transferOf(100, '1088000000000001')), TypeError);
  await assert.rejects(client.transfer(transferOf(100, PAYEE, 'has space')), TypeError);
  await assert.rejects(client.transfer({ ...transferOf(100), orderTitle: '' }), TypeError);
  await assert.rejects(client.query('x'.repeat(65)), TypeError);
  assert.equal(sandbox.records().length, 0);
  assert.throws(() => clientFor(sandbox.url, { timeoutMs: 0 }), RangeError);
  assert.throws(() => clientFor('ftp://example.com/gateway.do'), TypeError);
  assert.throws(() => clientFor(sandbox.url, { gatewayPublicKeyPem: KEYS.gateway.privateKeyPem }), /not an RSA public key/);
});

test('the client is what the payout pipeline expects of a gateway', async (t) => {
  const sandbox = await sandboxFor(t);
  // Type-checked by tsc: WalletGateway must stay assignable to payout.ts's PayoutGateway.
  const gateway: PayoutGateway = clientFor(sandbox.url);
  const request = transferOf(100);
  assert.equal((await gateway.transfer(request)).kind, 'success');
  assert.equal((await gateway.query(request.outBizNo)).kind, 'success');
});
