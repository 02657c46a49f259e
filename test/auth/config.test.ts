import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { devApiKeys } from '../../src/cli/dev-keys.ts';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { rateKeyOfAddress } from '../../src/auth/ip.ts';
import { maskName, maskPhone } from '../../src/auth/index.ts';

/** Every secret production needs, each a value that must never be printed. */
const PRODUCTION: Record<string, string> = {
  CAREPOINTS_ENV: 'production',
  CAREPOINTS_SMS_PROVIDER: 'http',
  CAREPOINTS_SMS_URL: 'https://sms.example.cn/send',
  CAREPOINTS_SMS_TOKEN: 'sms-token-secret-0123456789',
  CAREPOINTS_WALLET_GATEWAY_URL: 'https://openapi.alipay.com/gateway.do',
  CAREPOINTS_WALLET_APP_ID: '2021000000000000',
  CAREPOINTS_WALLET_APP_PRIVATE_KEY: 'app-private-key-secret',
  CAREPOINTS_WALLET_GATEWAY_PUBLIC_KEY: 'gateway public key',
  CAREPOINTS_API_KEYS: 'ops:ops_secret_key_0123456789abcdef,platform:platform_secret_key_0123456789ab',
  CAREPOINTS_PLATFORM_PUBLIC_KEY: generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  CAREPOINTS_PLATFORM_APP_ID: '2021000000000001',
  CAREPOINTS_ID_HASH_KEY: 'id-hash-key-secret-0123456789abcdef0123',
};

test('CAREPOINTS_ENV: development by default; production needs a real SMS provider chosen explicitly', () => {
  assert.deepEqual([loadConfig({}).env, loadConfig({}).smsProvider], ['development', 'dev']);
  assert.throws(() => loadConfig({ CAREPOINTS_ENV: 'production' }), (err: unknown) => err instanceof ConfigError && /CAREPOINTS_SMS_PROVIDER: production needs an SMS provider/.test(err.message));
  assert.throws(() => loadConfig({ ...PRODUCTION, CAREPOINTS_SMS_PROVIDER: 'dev' }), /CAREPOINTS_SMS_PROVIDER: production needs a real SMS provider/);
  assert.throws(() => loadConfig({ CAREPOINTS_ENV: 'production', CAREPOINTS_SMS_PROVIDER: 'http', CAREPOINTS_SMS_URL: 'https://sms.example.cn/send', CAREPOINTS_SMS_TOKEN: 't' }), /CAREPOINTS_WALLET_GATEWAY_URL: production needs the platform gateway/);
  const production = loadConfig(PRODUCTION);
  assert.deepEqual([production.env, production.smsProvider, production.smsGateway?.url], ['production', 'http', 'https://sms.example.cn/send']);
  assert.throws(() => loadConfig({ CAREPOINTS_ENV: 'staging' }), /CAREPOINTS_ENV: expected development or production/);
  assert.throws(() => loadConfig({ CAREPOINTS_SMS_PROVIDER: 'carrier-pigeon' }), /CAREPOINTS_SMS_PROVIDER: expected one of dev, http/);
});

test('production refuses to start without each secret, names the one missing, and prints no secret', async () => {
  const secrets = ['CAREPOINTS_API_KEYS', 'CAREPOINTS_PLATFORM_PUBLIC_KEY', 'CAREPOINTS_PLATFORM_APP_ID', 'CAREPOINTS_ID_HASH_KEY', 'CAREPOINTS_SMS_TOKEN', 'CAREPOINTS_WALLET_APP_PRIVATE_KEY'];
  for (const missing of secrets) {
    const env = Object.fromEntries(Object.entries(PRODUCTION).filter(([name]) => name !== missing));
    assert.throws(() => loadConfig(env), (err: unknown) => err instanceof ConfigError && err.variable === missing, missing);
  }
  // the real process: it exits before opening anything, naming the variable, with no secret in its output
  const env = Object.fromEntries(Object.entries(PRODUCTION).filter(([name]) => name !== 'CAREPOINTS_ID_HASH_KEY'));
  const child = spawn(process.execPath, ['bin/carepoints.js', 'serve', '--no-demo'], { env: { PATH: process.env.PATH, ...env, CAREPOINTS_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'carepoints-prod-')) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const [code] = (await once(child, 'close')) as [number];
  assert.notEqual(code, 0);
  assert.match(output, /CAREPOINTS_ID_HASH_KEY/);
  for (const [name, value] of Object.entries(PRODUCTION)) if (/KEY|TOKEN/.test(name) && name !== 'CAREPOINTS_PLATFORM_PUBLIC_KEY') for (const part of value.split(/[,:]/)) if (part.length >= 16) assert.ok(!output.includes(part), `${name} was printed`);
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
