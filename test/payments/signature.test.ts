import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { AlipaySdk } from 'alipay-sdk';
import { publicKeyFrom, signingString, signRsa2, verifyRsa2 } from '../../src/shared/rsa2.ts';
import { SAMPLE_NOTIFICATION } from '../support/payments.ts';

const platform = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const platformSpkiPem = platform.publicKey.export({ type: 'spki', format: 'pem' }).toString();

const NOTIFICATION: Record<string, string> = {
  ...SAMPLE_NOTIFICATION,
  subject: '收款 & 早餐=2份',
  fund_bill_list: '[{"amount":"12.34","fundChannel":"ALIPAYACCOUNT"}]',
};

function signed(fields: Record<string, string>, key = platform.privateKey): Record<string, string> {
  return { ...fields, sign_type: 'RSA2', sign: signRsa2(fields, key) };
}

test('signingString sorts keys in byte order and leaves out sign, sign_type and empty values', () => {
  assert.equal(signingString({ b: '2', a: '1', sign: 'x', sign_type: 'RSA2', c: '', B: 'upper', a_b: 'u' }), 'B=upper&a=1&a_b=u&b=2');
  // Values are used as given: already URL-decoded, not re-encoded.
  assert.equal(signingString({ subject: 'a&b=c 中', total_amount: '1.00' }), 'subject=a&b=c 中&total_amount=1.00');
});

test('a notification signed with the platform key verifies, with a PEM or a KeyObject', () => {
  const fields = signed(NOTIFICATION);
  assert.equal(verifyRsa2(fields, platformSpkiPem), true);
  assert.equal(verifyRsa2(fields, platform.publicKey), true);
  // sign_type is not signed: its value does not matter.
  assert.equal(verifyRsa2({ ...fields, sign_type: 'RSA' }, platform.publicKey), true);
});

test('a tampered, removed or added field, a wrong key or a garbled signature fails', () => {
  const fields = signed(NOTIFICATION);
  assert.equal(verifyRsa2({ ...fields, total_amount: '1234.00' }, platform.publicKey), false);
  const { seller_id: _removed, ...withoutSeller } = fields;
  assert.equal(verifyRsa2(withoutSeller, platform.publicKey), false);
  assert.equal(verifyRsa2({ ...fields, refund_fee: '12.34' }, platform.publicKey), false);
  assert.equal(verifyRsa2(fields, other.publicKey), false);
  assert.equal(verifyRsa2(signed(NOTIFICATION, other.privateKey), platform.publicKey), false);
});

test('a missing or garbled signature or a non-string value is false, not an exception', () => {
  const fields = signed(NOTIFICATION);
  const { sign: _sign, ...unsigned } = fields;
  assert.equal(verifyRsa2(unsigned, platform.publicKey), false);
  for (const sign of ['', 'not base64!', '====', 'AAAA', fields.sign!.slice(0, 100), fields.sign!.slice(1)]) {
    assert.equal(verifyRsa2({ ...fields, sign }, platform.publicKey), false, sign);
  }
  assert.equal(verifyRsa2({ ...fields, sign: 42 } as unknown as Record<string, string>, platform.publicKey), false);
  assert.equal(verifyRsa2({ ...fields, total_amount: 12.34 } as unknown as Record<string, string>, platform.publicKey), false);
});

test('publicKeyFrom reads SPKI PEM, PKCS#1 PEM and the bare base64 body', () => {
  const fields = signed(NOTIFICATION);
  const pkcs1Pem = platform.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const bareSpki = platform.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const barePkcs1 = platform.publicKey.export({ type: 'pkcs1', format: 'der' }).toString('base64');
  const wrapped = bareSpki.replace(/(.{64})/g, '$1\n');
  for (const text of [platformSpkiPem, pkcs1Pem, `  ${platformSpkiPem}\n`, bareSpki, barePkcs1, wrapped]) {
    assert.equal(verifyRsa2(fields, publicKeyFrom(text)), true);
  }
});

test('publicKeyFrom refuses what is not an RSA public key, with a clear error', () => {
  const privatePem = platform.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  for (const text of ['', 'hello', 'AAAA', privatePem, ec, '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----']) {
    assert.throws(() => publicKeyFrom(text), /not an RSA public key/);
  }
});

function sdk(): AlipaySdk {
  return new AlipaySdk({
    appId: '2021000000000001',
    privateKey: platform.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    alipayPublicKey: platform.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  });
}

// The SDK exposes no notification signer (the platform signs those; its request signer always signs
// sign_type along), so the cross-check runs through its notification verification.
test('the official alipay-sdk accepts a notification that signRsa2 signed and refuses a tampered copy', () => {
  const alipay = sdk();
  const fields = signed(NOTIFICATION);
  assert.equal(alipay.checkNotifySignV2(fields), true);
  assert.equal(alipay.checkNotifySignV2({ ...fields, total_amount: '99.99' }), false);
  assert.equal(alipay.checkNotifySignV2({ ...fields, seller_id: '2088102177009999' }), false);
  assert.equal(alipay.checkNotifySignV2(signed(NOTIFICATION, other.privateKey)), false);
});

test('the alipay-sdk verifies our signing string byte for byte', () => {
  const fields = signed(NOTIFICATION);
  assert.equal(sdk().rsaCheck(signingString(fields), fields.sign!), true);
  assert.equal(sdk().rsaCheck(signingString({ ...fields, subject: '收款' }), fields.sign!), false);
});

test('a signature that also covers sign_type, as the SDK request signer makes, is refused', () => {
  // Trade notifications are verified without sign_type (the SDK's checkNotifySign falls back to that);
  // its request signer signs sign_type along, so its output must not pass our notification check.
  const query = sdk().sdkExecute('alipay.trade.query', { bizContent: { out_trade_no: 'QR-20261124-0001' } });
  const fields = Object.fromEntries(new URLSearchParams(query));
  assert.equal(fields.sign_type, 'RSA2');
  assert.equal(sdk().checkNotifySignV2(fields), true);
  assert.equal(verifyRsa2(fields, platform.publicKey), false);
});
