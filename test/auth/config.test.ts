import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { devApiKeys } from '../../src/cli/dev-keys.ts';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { rateKeyOfAddress } from '../../src/auth/ip.ts';
import { maskName, maskPhone } from '../../src/auth/index.ts';

test('CAREPOINTS_ENV: development by default; production needs an SMS provider chosen explicitly', () => {
  assert.deepEqual([loadConfig({}).env, loadConfig({}).smsProvider], ['development', 'dev']);
  assert.throws(() => loadConfig({ CAREPOINTS_ENV: 'production' }), (err: unknown) => err instanceof ConfigError && /CAREPOINTS_SMS_PROVIDER: production needs an SMS provider/.test(err.message));
  assert.throws(() => loadConfig({ CAREPOINTS_ENV: 'production', CAREPOINTS_SMS_PROVIDER: 'dev' }), /CAREPOINTS_WALLET_GATEWAY_URL: production needs the platform gateway/);
  const production = loadConfig({
    CAREPOINTS_ENV: 'production',
    CAREPOINTS_SMS_PROVIDER: 'dev',
    CAREPOINTS_WALLET_GATEWAY_URL: 'https://openapi.alipay.com/gateway.do',
    CAREPOINTS_WALLET_APP_ID: '2021000000000000',
    CAREPOINTS_WALLET_APP_PRIVATE_KEY: 'app private key',
    CAREPOINTS_WALLET_GATEWAY_PUBLIC_KEY: 'gateway public key',
  });
  assert.deepEqual([production.env, production.smsProvider], ['production', 'dev']);
  assert.throws(() => loadConfig({ CAREPOINTS_ENV: 'staging' }), /CAREPOINTS_ENV: expected development or production/);
  assert.throws(() => loadConfig({ CAREPOINTS_SMS_PROVIDER: 'carrier-pigeon' }), /CAREPOINTS_SMS_PROVIDER: expected one of dev/);
});

test('CAREPOINTS_API_KEYS accepts the reviewer role', () => {
  const keys = loadConfig({ CAREPOINTS_API_KEYS: 'reviewer:abcdefghijklmnopqrstuvwxyz,ops:ABCDEFGHIJKLMNOPQRSTUVWXYZ' }).apiKeys!;
  assert.equal(keys.get('abcdefghijklmnopqrstuvwxyz'), 'reviewer');
  assert.throws(() => loadConfig({ CAREPOINTS_API_KEYS: 'admin:abcdefghijklmnopqrstuvwxyz' }), /role ops, platform, reviewer/);
});

test('development keys: one per role, a reviewer key added to an older file, the others kept', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carepoints-keys-'));
  try {
    const file = path.join(dir, 'api-keys.json');
    fs.writeFileSync(file, JSON.stringify({ ops: 'ops_old_key_0123456789abcdefgh', platform: 'plat_old_key_0123456789abcdefgh' }));
    const first = devApiKeys(dir);
    assert.equal(first.byRole.ops, 'ops_old_key_0123456789abcdefgh');
    assert.match(first.byRole.reviewer, /^rev_[A-Za-z0-9_-]{32}$/);
    assert.equal(first.keys.get(first.byRole.reviewer), 'reviewer');
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), first.byRole);
    assert.deepEqual(devApiKeys(dir).byRole, first.byRole, 'stable across starts');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('rate-limit keys and masks', () => {
  assert.equal(rateKeyOfAddress('203.0.113.7'), '203.0.113.7');
  assert.equal(rateKeyOfAddress('::ffff:203.0.113.7'), '203.0.113.7');
  assert.equal(rateKeyOfAddress('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
  assert.equal(rateKeyOfAddress('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(rateKeyOfAddress('2001:0db8:0001:0002::9%eth0'), '2001:db8:1:2::/64');
  assert.equal(rateKeyOfAddress('::1'), '0:0:0:0::/64');
  assert.equal(maskPhone('13800138000'), '138****8000');
  assert.deepEqual(['张', '张三', '欧阳娜娜', '𠀀𠀁𠀂'].map(maskName), ['*', '张*', '欧**娜', '𠀀*𠀂']);
});
