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
  ];
  for (const [env, message] of bad) assert.throws(() => loadConfig(env), (err: unknown) => err instanceof ConfigError && message.test(err.message));
});
