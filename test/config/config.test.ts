import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/config.ts';

test('defaults: port 3000, embedded database under ./data', () => {
  const config = loadConfig({});
  assert.equal(config.port, 3000);
  assert.equal(config.databaseUrl, null);
  assert.equal(config.dataDir, path.resolve('data'));
  assert.equal(config.apiKeys, null);
  assert.deepEqual(config.reminderLeadTimes, { lapseLeadHours: 6, expiryLeadHours: 72 }, 'reminded 6 h before credit lapses, 3 days before it expires');
});

test('the reminders\' lead times are read', () => {
  const config = loadConfig({ CAREPOINTS_REMINDER_LAPSE_LEAD_HOURS: '12', CAREPOINTS_REMINDER_EXPIRY_LEAD_HOURS: '168' });
  assert.deepEqual(config.reminderLeadTimes, { lapseLeadHours: 12, expiryLeadHours: 168 });
});

test('audits: 5 % drawn, every claim from 300 yuan; the share, threshold and key are read; production has a key of its own', () => {
  const defaults = loadConfig({}).auditSampling;
  assert.deepEqual({ share: defaults.share, alwaysFromFen: defaults.alwaysFromFen }, { share: 0.05, alwaysFromFen: 30_000 });
  const set = loadConfig({ CAREPOINTS_AUDIT_SAMPLE_SHARE: '0.125', CAREPOINTS_AUDIT_ALWAYS_FROM_FEN: '50000', CAREPOINTS_AUDIT_SAMPLE_KEY: 'a-key-of-sixteen-chars' }).auditSampling;
  assert.deepEqual(set, { share: 0.125, alwaysFromFen: 50_000, key: 'a-key-of-sixteen-chars' });
  const derived = loadConfig({ CAREPOINTS_ID_HASH_KEY: 'x'.repeat(32) }).auditSampling.key;
  assert.notEqual(derived, defaults.key, 'with an ID-hash key (production has one) the development key is not used');
  assert.ok(!derived.includes('x'.repeat(32)), 'the ID-hash key itself is not the sample key');
});

test('reads and validates every variable', () => {
  const config = loadConfig({
    PORT: '8080',
    DATABASE_URL: 'postgres://u@127.0.0.1:5432/cp',
    CAREPOINTS_DATA_DIR: '/tmp/cp',
    CAREPOINTS_API_KEYS: 'ops:abcdefghijklmnopqrstuvwxyz,platform:ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    LOG_LEVEL: 'debug',
  });
  assert.equal(config.port, 8080);
  assert.equal(config.databaseUrl, 'postgres://u@127.0.0.1:5432/cp');
  assert.equal(config.dataDir, '/tmp/cp');
  assert.equal(config.apiKeys?.get('ABCDEFGHIJKLMNOPQRSTUVWXYZ'), 'platform');
});

test('a bad value names the variable and what was expected', () => {
  const bad: [Record<string, string>, RegExp][] = [
    [{ PORT: '70000' }, /PORT: expected 0\.\.65535/],
    [{ PORT: '3e3' }, /PORT: expected an integer/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL: expected a postgres:\/\/ URL/],
    [{ DATABASE_URL: 'not a url' }, /DATABASE_URL: not a URL/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL: expected one of/],
    [{ CAREPOINTS_API_KEYS: 'admin:abcdefghijklmnopqrstuvwxyz' }, /CAREPOINTS_API_KEYS: each entry must be role:key/],
    [{ CAREPOINTS_API_KEYS: 'ops:short' }, /CAREPOINTS_API_KEYS: keys must be at least 24/],
    [{ CAREPOINTS_ID_HASH_KEY: 'short' }, /CAREPOINTS_ID_HASH_KEY: must be at least 32/],
    [{ CAREPOINTS_REMINDER_LAPSE_LEAD_HOURS: '48' }, /CAREPOINTS_REMINDER_LAPSE_LEAD_HOURS: expected 1\.\.47, got 48/],
    [{ CAREPOINTS_REMINDER_LAPSE_LEAD_HOURS: '0' }, /CAREPOINTS_REMINDER_LAPSE_LEAD_HOURS: expected 1\.\.47/],
    [{ CAREPOINTS_REMINDER_EXPIRY_LEAD_HOURS: '6h' }, /CAREPOINTS_REMINDER_EXPIRY_LEAD_HOURS: expected an integer/],
    [{ CAREPOINTS_REMINDER_EXPIRY_LEAD_HOURS: '721' }, /CAREPOINTS_REMINDER_EXPIRY_LEAD_HOURS: expected 1\.\.720/],
    [{ CAREPOINTS_AUDIT_SAMPLE_SHARE: '5%' }, /CAREPOINTS_AUDIT_SAMPLE_SHARE: expected a share from 0 to 1/],
    [{ CAREPOINTS_AUDIT_SAMPLE_SHARE: '1.5' }, /CAREPOINTS_AUDIT_SAMPLE_SHARE: expected a share from 0 to 1/],
    [{ CAREPOINTS_AUDIT_SAMPLE_SHARE: '1e-2' }, /CAREPOINTS_AUDIT_SAMPLE_SHARE: expected a share/],
    [{ CAREPOINTS_AUDIT_ALWAYS_FROM_FEN: '0' }, /CAREPOINTS_AUDIT_ALWAYS_FROM_FEN: expected 1\.\.100000/],
    [{ CAREPOINTS_AUDIT_SAMPLE_KEY: 'short' }, /CAREPOINTS_AUDIT_SAMPLE_KEY: must be at least 16/],
  ];
  for (const [env, message] of bad) assert.throws(() => loadConfig(env), (err: unknown) => err instanceof ConfigError && message.test(err.message));
});

test('NATS JetStream for the webhook: none by default; one or more nats:// or tls:// URLs; anything else is refused by name', () => {
  assert.equal(loadConfig({}).natsServers, null);
  assert.equal(loadConfig({ CAREPOINTS_NATS_URL: 'nats://10.0.0.1:4222,tls://10.0.0.2:4222' }).natsServers, 'nats://10.0.0.1:4222,tls://10.0.0.2:4222');
  for (const bad of ['http://10.0.0.1:4222', 'nats://a:1,,nats://b:2', 'nats://a b:1']) {
    assert.throws(() => loadConfig({ CAREPOINTS_NATS_URL: bad }), (err: unknown) => err instanceof ConfigError && err.variable === 'CAREPOINTS_NATS_URL', bad);
  }
});
