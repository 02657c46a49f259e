import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AlipayRequestError, AlipaySdk } from 'alipay-sdk';
import { publicKeyFrom, verifyRsa2 } from '../../src/shared/rsa2.ts';
import { fenOfTransAmount, transAmountOf } from '../../src/payouts/amount.ts';
import { rsaPrivateKeyFrom } from '../../src/payouts/keys.ts';
import { queryOutcomeOf, transferOutcomeOf, unknownFromError } from '../../src/payouts/outcomes.ts';
import { DEFINITE_TRANSFER_FAILURES } from '../../src/payouts/protocol.ts';
import { openSignedResponse, signedResponseText } from '../../src/payouts/signed-response.ts';
import { UnverifiedResponseError } from '../../src/payouts/verifying-sdk.ts';
import { APP_ID, KEYS } from './harness.ts';

const KEY = 'alipay_fund_trans_uni_transfer_response';
const gatewayPrivate = rsaPrivateKeyFrom(KEYS.gateway.privateKeyPem);
const gatewayPublic = publicKeyFrom(KEYS.gateway.publicKeyPem);

test('trans_amount is exact yuan with two decimals, from whole fen only', () => {
  const cases: [number, string][] = [[1, '0.01'], [10, '0.10'], [100, '1.00'], [12345, '123.45'], [20000, '200.00'], [10_000_000_000, '100000000.00']];
  for (const [fen, yuan] of cases) {
    assert.equal(transAmountOf(fen), yuan);
    assert.equal(fenOfTransAmount(yuan), fen);
  }
  for (const bad of [0, -1, 1.5, 0.1 + 0.2, Number.NaN, Number.POSITIVE_INFINITY, 10_000_000_001]) {
    assert.throws(() => transAmountOf(bad), RangeError, String(bad));
  }
  for (const bad of ['1', '1.5', '1.234', '01.00', '-1.00', '+1.00', '1,000.00', ' 1.00', '1.00 ', '', '1e2', '1000000000.00', 1, null]) {
    assert.equal(fenOfTransAmount(bad), null, String(bad));
  }
});

test('a signed answer opens only in exactly the platform layout, with the member text verified', () => {
  const member = { code: '10000', msg: 'Success', out_biz_no: 'A1', order_id: 'O1', status: 'SUCCESS', note: '含 "sign" 与 } 的文本' };
  const text = signedResponseText(KEY, member, gatewayPrivate);
  assert.deepEqual(openSignedResponse(text, KEY, gatewayPublic), { ok: true, member });
  assert.deepEqual(openSignedResponse(`${text}\n`, KEY, gatewayPublic), { ok: true, member });
  const refused = [
    text.replace('"O1"', '"O2"'),
    `${text.slice(0, -1)},"${KEY}":{"code":"10000"}}`,
    `{"x":1,${text.slice(1)}`,
    text.replace(KEY, 'alipay_fund_trans_common_query_response'),
    text.replace(/"sign":"[^"]*"/, '"sign":"AAAA"'),
    text.replace(/,"sign":"[^"]*"/, ''),
    `{"${KEY}":[1],"sign":"${/"sign":"([^"]*)"/.exec(text)![1]}"}`,
    'not json',
  ];
  for (const raw of refused) assert.equal(openSignedResponse(raw, KEY, gatewayPublic).ok, false, raw);
  assert.equal(openSignedResponse(undefined, KEY, gatewayPublic).ok, false);
  // Signed by another key: refused.
  assert.equal(openSignedResponse(signedResponseText(KEY, member, rsaPrivateKeyFrom(KEYS.app.privateKeyPem)), KEY, gatewayPublic).ok, false);
});

test('alipay-sdk verifies the sandbox layout: its check accepts what signedResponseText writes', () => {
  const sdk = new AlipaySdk({ appId: APP_ID, privateKey: KEYS.app.privateKeyPem, keyType: 'PKCS8', alipayPublicKey: KEYS.gateway.publicKeyPem });
  const text = signedResponseText(KEY, { code: '10000', msg: 'Success', sub_msg: '中文 & "quotes"' }, gatewayPrivate);
  const sign = (JSON.parse(text) as { sign: string }).sign;
  assert.doesNotThrow(() => sdk.checkResponseSign(text, KEY, sign, ''));
  assert.throws(() => sdk.checkResponseSign(text.replace('Success', 'Succe$s'), KEY, sign, ''), AlipayRequestError);
});

test('the sandbox verifies requests as alipay-sdk signs them: sign_type included', () => {
  const sdk = new AlipaySdk({ appId: APP_ID, privateKey: KEYS.app.privateKeyPem, keyType: 'PKCS8' });
  const fields = Object.fromEntries(new URLSearchParams(sdk.sdkExecute('alipay.fund.trans.common.query', { bizContent: { out_biz_no: 'A1' } })));
  const appPublic = publicKeyFrom(KEYS.app.publicKeyPem);
  assert.equal(verifyRsa2(fields, appPublic, { withSignType: true }), true);
  assert.equal(verifyRsa2(fields, appPublic), false);
  assert.equal(verifyRsa2({ ...fields, biz_content: '{"out_biz_no":"A2"}' }, appPublic, { withSignType: true }), false);
});

test('transfer answers: only a SUCCESS for this out_biz_no succeeds, only listed 40004 sub codes fail', () => {
  const success = { code: '10000', msg: 'Success', out_biz_no: 'A1', order_id: 'O1', pay_fund_order_id: 'F1', status: 'SUCCESS', trans_date: '2026-11-25 10:00:00' };
  assert.deepEqual(transferOutcomeOf(success, 'A1'), { kind: 'success', orderId: 'O1', payFundOrderId: 'F1', transDate: '2026-11-25 10:00:00' });
  assert.deepEqual(transferOutcomeOf({ ...success, pay_fund_order_id: undefined, trans_date: undefined }, 'A1'), { kind: 'success', orderId: 'O1', payFundOrderId: null, transDate: null });
  const unknownCases: [Record<string, unknown>, string][] = [
    [{ ...success, out_biz_no: 'A2' }, 'mismatched_response'],
    [{ ...success, out_biz_no: undefined }, 'mismatched_response'],
    [{ ...success, status: 'DEALING' }, 'in_progress'],
    [{ ...success, status: 'FAIL' }, 'in_progress'],
    [{ ...success, order_id: '' }, 'malformed_response'],
    [{ code: '40004', sub_code: 'SYSTEM_ERROR' }, 'gateway_error'],
    [{ code: '40004', sub_code: 'SOMETHING_NEW' }, 'gateway_error'],
    [{ code: '40004', sub_code: 'INVALID_PARAMETER' }, 'gateway_error'],
    [{ code: '40004', sub_code: 'OUT_BIZ_NO_REUSED' }, 'gateway_error'],
    [{ code: '20000', sub_code: 'isp.unknow-error' }, 'gateway_error'],
    [{ code: '40002', sub_code: 'PAYEE_NOT_EXIST' }, 'gateway_error'],
    [{ code: '40002', sub_code: 'isv.invalid-signature' }, 'gateway_error'],
    [{}, 'gateway_error'],
  ];
  for (const [member, reason] of unknownCases) {
    const outcome = transferOutcomeOf(member, 'A1');
    assert.equal(outcome.kind === 'unknown' && outcome.reason, reason, JSON.stringify(member));
  }
  for (const subCode of DEFINITE_TRANSFER_FAILURES) {
    assert.deepEqual(transferOutcomeOf({ code: '40004', msg: 'Business Failed', sub_code: subCode, sub_msg: '说明' }, 'A1'), { kind: 'failed', code: '40004', subCode, message: '说明' });
  }
});

test('query answers: SUCCESS with its amount, FAIL, ORDER_NOT_EXIST as absent, the rest unknown', () => {
  const success = { code: '10000', msg: 'Success', out_biz_no: 'A1', order_id: 'O1', pay_fund_order_id: 'F1', trans_amount: '123.45', status: 'SUCCESS', pay_date: '2026-11-25 10:00:00' };
  assert.deepEqual(queryOutcomeOf(success, 'A1'), { kind: 'success', orderId: 'O1', payFundOrderId: 'F1', amountFen: 12345, payDate: '2026-11-25 10:00:00' });
  assert.deepEqual(queryOutcomeOf({ ...success, status: 'FAIL', error_code: 'PAYEE_NOT_EXIST', fail_reason: '收款账号不存在' }, 'A1'), { kind: 'failed', code: 'PAYEE_NOT_EXIST', message: '收款账号不存在' });
  assert.deepEqual(queryOutcomeOf({ code: '40004', sub_code: 'ORDER_NOT_EXIST' }, 'A1'), { kind: 'absent' });
  const unknownCases: [Record<string, unknown>, string][] = [
    [{ ...success, out_biz_no: 'A2' }, 'mismatched_response'],
    [{ ...success, trans_amount: '123.4' }, 'malformed_response'],
    [{ ...success, order_id: undefined }, 'malformed_response'],
    [{ ...success, status: 'DEALING' }, 'in_progress'],
    [{ ...success, status: 'REFUND' }, 'in_progress'],
    [{ code: '40002', sub_code: 'ORDER_NOT_EXIST' }, 'gateway_error'],
    [{ code: '20000', sub_code: 'isp.unknow-error' }, 'gateway_error'],
    [{ code: '40004', sub_code: 'SYSTEM_ERROR' }, 'gateway_error'],
  ];
  for (const [member, reason] of unknownCases) {
    const outcome = queryOutcomeOf(member, 'A1');
    assert.equal(outcome.kind === 'unknown' && outcome.reason, reason, JSON.stringify(member));
  }
});

test('every error is unknown, with a reason from what alipay-sdk and urllib throw', () => {
  const timeout = Object.assign(new Error('Request timeout for 200 ms'), { name: 'HttpClientRequestTimeoutError' });
  const dropped = Object.assign(new Error('other side closed'), { name: 'SocketError', code: 'UND_ERR_SOCKET' });
  const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  const cases: [unknown, string][] = [
    [new AlipayRequestError('HttpClient Request error: Request timeout for 200 ms', { cause: timeout }), 'timeout'],
    [new AlipayRequestError('HttpClient Request error: other side closed', { cause: dropped }), 'connection_dropped'],
    [new AlipayRequestError('HttpClient Request error: connect ECONNREFUSED', { cause: refused }), 'connection_failed'],
    [new AlipayRequestError('HttpClient Request error: odd', { cause: new Error('odd') }), 'client_error'],
    [new AlipayRequestError('HTTP 请求错误, status: 502', { responseDataRaw: 'Bad Gateway' }), 'http_status'],
    [new AlipayRequestError("验签失败，服务端返回的 sign: 'x' 无效"), 'bad_signature'],
    [new AlipayRequestError('Response 格式错误', { cause: new SyntaxError('Unexpected token') }), 'malformed_response'],
    [new UnverifiedResponseError('the answer signature does not verify'), 'bad_signature'],
    [new TypeError('The "signature" argument must be of type string'), 'client_error'],
    ['a string', 'client_error'],
  ];
  for (const [err, reason] of cases) {
    assert.equal(unknownFromError(err).reason, reason, String(err));
    assert.equal(unknownFromError(err).kind, 'unknown');
  }
  assert.equal(unknownFromError(new AlipayRequestError('HTTP 请求错误, status: 502')).detail, 'HTTP 502');
});
