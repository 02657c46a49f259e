import path from 'node:path';
import { publicKeyFrom } from '../payments/signature.ts';

/** A configuration value that failed validation; the message names the variable and what was wrong. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`invalid configuration ${variable}: ${detail}`);
    this.name = 'ConfigError';
  }
}

export type ApiRole = 'ops' | 'platform';

export interface Config {
  port: number;
  host: string;
  /** null: run the embedded PostgreSQL under `dataDir`. */
  databaseUrl: string | null;
  dataDir: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** API keys by key → role; null means "generate dev keys into the data directory". */
  apiKeys: Map<string, ApiRole> | null;
  /** HMAC key for resident-ID hashing; null means "use the one stored in the database". */
  idHashKey: string | null;
  databasePoolSize: number;
  /** The payment platform's RSA public key (PEM or bare base64) for notification signatures; null = a development key pair in the data directory. */
  platformPublicKey: string | null;
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const MIN_API_KEY_CHARS = 24;

function integerInRange(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^[0-9]+$/.test(raw)) throw new ConfigError(name, `expected an integer, got ${JSON.stringify(raw)}`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `expected ${min}..${max}, got ${value}`);
  return value;
}

function databaseUrl(env: Env): string | null {
  const raw = env.DATABASE_URL;
  if (raw === undefined || raw === '') return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('DATABASE_URL', 'not a URL (expected postgres://user@host:port/database)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError('DATABASE_URL', `expected a postgres:// URL, got protocol ${url.protocol}`);
  }
  return raw;
}

function apiKeys(env: Env): Map<string, ApiRole> | null {
  const raw = env.CAREPOINTS_API_KEYS;
  if (raw === undefined || raw === '') return null;
  const keys = new Map<string, ApiRole>();
  for (const entry of raw.split(',')) {
    const [role, key, ...rest] = entry.trim().split(':');
    if (rest.length > 0 || key === undefined || (role !== 'ops' && role !== 'platform')) {
      throw new ConfigError('CAREPOINTS_API_KEYS', `each entry must be role:key with role ops or platform, got ${JSON.stringify(entry.trim())}`);
    }
    if (key.length < MIN_API_KEY_CHARS || !/^[A-Za-z0-9_-]+$/.test(key)) {
      throw new ConfigError('CAREPOINTS_API_KEYS', `keys must be at least ${MIN_API_KEY_CHARS} characters of [A-Za-z0-9_-]`);
    }
    keys.set(key, role);
  }
  return keys;
}

function platformPublicKey(env: Env): string | null {
  const raw = env.CAREPOINTS_PLATFORM_PUBLIC_KEY;
  if (raw === undefined || raw === '') return null;
  try {
    publicKeyFrom(raw);
  } catch (err) {
    throw new ConfigError('CAREPOINTS_PLATFORM_PUBLIC_KEY', (err as Error).message);
  }
  return raw;
}

export function loadConfig(env: Env = process.env): Config {
  const logLevel = env.LOG_LEVEL ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `expected one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(logLevel)}`);
  }
  const idHashKey = env.CAREPOINTS_ID_HASH_KEY ?? null;
  if (idHashKey !== null && idHashKey.length < 32) {
    throw new ConfigError('CAREPOINTS_ID_HASH_KEY', 'must be at least 32 characters');
  }
  const host = env.HOST ?? '0.0.0.0';
  if (host === '') throw new ConfigError('HOST', 'must not be empty');
  return {
    port: integerInRange(env, 'PORT', 3000, 0, 65535),
    host,
    databaseUrl: databaseUrl(env),
    dataDir: path.resolve(env.CAREPOINTS_DATA_DIR || './data'),
    logLevel: logLevel as Config['logLevel'],
    apiKeys: apiKeys(env),
    idHashKey,
    databasePoolSize: integerInRange(env, 'DATABASE_POOL_SIZE', 10, 1, 200),
    platformPublicKey: platformPublicKey(env),
  };
}
