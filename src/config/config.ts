import { createHmac } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { DEFAULT_HISTORY_RETENTION_DAYS, MIN_HISTORY_RETENTION_DAYS } from '../db/history.ts';
import { publicKeyFrom } from '../shared/rsa2.ts';

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

export type ApiRole = 'ops' | 'platform' | 'reviewer';
export const API_ROLES: readonly ApiRole[] = ['ops', 'platform', 'reviewer'];

/** `development` (the default) or `production`. */
export type Environment = 'development' | 'production';
/**
 * The SMS providers this build has: `dev` writes codes to the log (and, in development, to GET
 * /v1/dev/otp), never in production; `http` posts each text to the operator's SMS gateway.
 */
export type SmsProviderName = 'dev' | 'http';
const SMS_PROVIDERS: readonly SmsProviderName[] = ['dev', 'http'];

/** The operator's SMS gateway: each text is POSTed as JSON { phone, text } with the bearer token. */
export interface SmsGatewayConfig {
  url: string;
  token: string;
}

export interface WalletGatewayConfig {
  url: string;
  appId: string;
  appPrivateKeyPem: string;
  gatewayPublicKeyPem: string;
  timeoutMs: number;
}

/** A commercial service that checks invoices with their issuer (src/verification). */
export interface InvoiceVerifierConfig {
  url: string;
  token: string;
  timeoutMs: number;
  /** Checks of one bill a Shanghai day, at most: the platform's own limit or below it. */
  dailyLimitPerBill: number;
}

/** How long before credit is lost the merchant is reminded (src/notifications/reminders.ts). */
export interface ReminderLeadTimes {
  /** Hours before a pending lot's collection window ends. */
  lapseLeadHours: number;
  /** Hours before an available lot expires. */
  expiryLeadHours: number;
}

/** Which paid machine-approved claims are drawn for a reviewer's audit (src/audits/sampling.ts). */
export interface AuditSampling {
  /** The share of claims below the threshold drawn at random, in [0, 1]. */
  share: number;
  /** Claims that paid at least this are all audited. */
  alwaysFromFen: number;
  /** The key of the hash that draws the sample. */
  key: string;
}

/** 5 % of claims, and every claim of 300 yuan or more; the development key (production derives its own: auditSampleKey). */
export const DEFAULT_AUDIT_SAMPLING: AuditSampling = { share: 0.05, alwaysFromFen: 30_000, key: 'carepoints-development-audit-sample-key' };

export const DEFAULT_REMINDER_LEAD_TIMES: ReminderLeadTimes = { lapseLeadHours: 6, expiryLeadHours: 72 };

export interface Config {
  /** Where claim photos and PDFs are kept (content-addressed). */
  filesDir: string;
  /** Claim-pipeline jobs this process runs at once; 0 = none (API only). */
  workerConcurrency: number;
  /** The platform's fund-transfer gateway; null = the sandbox gateway, in process (development only). */
  walletGateway: WalletGatewayConfig | null;
  /** CAREPOINTS_ENV: development builds have dev-only endpoints; production sets Secure cookies. */
  env: Environment;
  /** CAREPOINTS_SMS_PROVIDER; production has no default and never the dev provider. */
  smsProvider: SmsProviderName;
  /** With the `http` provider: where texts are sent (CAREPOINTS_SMS_URL, CAREPOINTS_SMS_TOKEN). */
  smsGateway: SmsGatewayConfig | null;
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
  /** The app id (app_id) the platform's notifications must carry; the development one with the development key pair. */
  platformAppId: string;
  /** CAREPOINTS_TRUSTED_PROXIES: the proxies whose X-Forwarded-For is believed (addresses or CIDR ranges). */
  trustedProxies: string[];
  /** CAREPOINTS_HISTORY_RETENTION_DAYS: payment history older than this is dropped, a quarter at a time. */
  historyRetentionDays: number;
  /** CAREPOINTS_REMINDER_LAPSE_LEAD_HOURS, CAREPOINTS_REMINDER_EXPIRY_LEAD_HOURS: how long before pending credit lapses, and available credit expires, the merchant is reminded. */
  reminderLeadTimes: ReminderLeadTimes;
  /** CAREPOINTS_AUDIT_SAMPLE_SHARE, CAREPOINTS_AUDIT_ALWAYS_FROM_FEN, CAREPOINTS_AUDIT_SAMPLE_KEY: which paid claims are audited. */
  auditSampling: AuditSampling;
  /** CAREPOINTS_VERIFIER_URL, _TOKEN, _TIMEOUT_MS, _DAILY_LIMIT: the invoice-verification service; null = invoices are not checked with their issuer. */
  invoiceVerifier: InvoiceVerifierConfig | null;
  /**
   * CAREPOINTS_NATS_URL: NATS JetStream's servers (comma-separated nats:// or tls:// URLs). With them
   * the webhook relays notifications to the payments stream and the server applies the stream;
   * null = the webhook applies them itself, by group commit.
   */
  natsServers: string | null;
}

/** What `npm start` expects when it plays the payment platform itself (no CAREPOINTS_PLATFORM_PUBLIC_KEY). */
export const DEV_PLATFORM_APP_ID = '2021000000000000';

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
    if (rest.length > 0 || key === undefined || !(API_ROLES as readonly (string | undefined)[]).includes(role)) {
      throw new ConfigError('CAREPOINTS_API_KEYS', `each entry must be role:key with role ${API_ROLES.join(', ')}, got ${JSON.stringify(entry.trim())}`);
    }
    if (key.length < MIN_API_KEY_CHARS || !/^[A-Za-z0-9_-]+$/.test(key)) {
      throw new ConfigError('CAREPOINTS_API_KEYS', `keys must be at least ${MIN_API_KEY_CHARS} characters of [A-Za-z0-9_-]`);
    }
    keys.set(key, role as ApiRole);
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

/** Required with a real platform key: a notification signed by the platform for another app is not ours. */
function platformAppId(env: Env): string {
  const raw = env.CAREPOINTS_PLATFORM_APP_ID;
  if (raw === undefined || raw === '') {
    if (env.CAREPOINTS_PLATFORM_PUBLIC_KEY) throw new ConfigError('CAREPOINTS_PLATFORM_APP_ID', 'required with CAREPOINTS_PLATFORM_PUBLIC_KEY: the app id the platform gave this programme');
    return DEV_PLATFORM_APP_ID;
  }
  if (!/^[0-9]{16}$/.test(raw)) throw new ConfigError('CAREPOINTS_PLATFORM_APP_ID', `expected the platform's 16-digit app id, got ${JSON.stringify(raw)}`);
  return raw;
}

function environment(env: Env): Environment {
  const raw = env.CAREPOINTS_ENV;
  if (raw === undefined || raw === '') return 'development';
  if (raw !== 'development' && raw !== 'production') throw new ConfigError('CAREPOINTS_ENV', `expected development or production, got ${JSON.stringify(raw)}`);
  return raw;
}

function smsProvider(env: Env, mode: Environment): SmsProviderName {
  const raw = env.CAREPOINTS_SMS_PROVIDER;
  if (raw === undefined || raw === '') {
    if (mode === 'production') throw new ConfigError('CAREPOINTS_SMS_PROVIDER', 'production needs an SMS provider: set CAREPOINTS_SMS_PROVIDER=http with CAREPOINTS_SMS_URL and CAREPOINTS_SMS_TOKEN');
    return 'dev';
  }
  if (!(SMS_PROVIDERS as readonly string[]).includes(raw)) throw new ConfigError('CAREPOINTS_SMS_PROVIDER', `expected one of ${SMS_PROVIDERS.join(', ')}, got ${JSON.stringify(raw)}`);
  // the dev provider writes every sign-in code to the log: anyone reading the log could sign in
  if (mode === 'production' && raw === 'dev') throw new ConfigError('CAREPOINTS_SMS_PROVIDER', 'production needs a real SMS provider; "dev" writes sign-in codes to the log: set CAREPOINTS_SMS_PROVIDER=http');
  return raw as SmsProviderName;
}

function smsGateway(env: Env, provider: SmsProviderName): SmsGatewayConfig | null {
  if (provider !== 'http') return null;
  const url = required(env, 'CAREPOINTS_SMS_URL', 'with CAREPOINTS_SMS_PROVIDER=http');
  if (!/^https?:\/\/\S+$/.test(url)) throw new ConfigError('CAREPOINTS_SMS_URL', 'expected an http(s) URL');
  return { url, token: required(env, 'CAREPOINTS_SMS_TOKEN', 'with CAREPOINTS_SMS_PROVIDER=http') };
}

/** A variable that must be given `when`; its value is never repeated in the message (it may be a secret). */
function required(env: Env, name: string, when: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new ConfigError(name, `required ${when}`);
  return value;
}

/**
 * Production runs only on secrets given from outside: no generated API keys (they were printed in
 * the log), no development platform key pair, and an ID-hash key kept apart from the database whose
 * hashes it protects (it is also the root of the sign-in code and CSRF keys).
 */
function requireProductionSecrets(env: Env): void {
  required(env, 'CAREPOINTS_API_KEYS', 'in production (role:key entries; keys are never generated there)');
  required(env, 'CAREPOINTS_PLATFORM_PUBLIC_KEY', "in production (the payment platform's public key; the development key pair is refused)");
  required(env, 'CAREPOINTS_PLATFORM_APP_ID', 'in production (the app id the platform gave this programme)');
  required(env, 'CAREPOINTS_ID_HASH_KEY', 'in production (kept outside the database whose hashes it protects)');
}

function walletGateway(env: Env, mode: Environment): WalletGatewayConfig | null {
  const url = env.CAREPOINTS_WALLET_GATEWAY_URL;
  if (url === undefined || url === '') {
    if (mode === 'production') throw new ConfigError('CAREPOINTS_WALLET_GATEWAY_URL', 'production needs the platform gateway (the sandbox gateway is for development)');
    return null;
  }
  if (!/^https?:\/\/\S+$/.test(url)) throw new ConfigError('CAREPOINTS_WALLET_GATEWAY_URL', `expected an http(s) URL, got ${JSON.stringify(url)}`);
  const when = 'when CAREPOINTS_WALLET_GATEWAY_URL is set';
  return {
    url,
    appId: required(env, 'CAREPOINTS_WALLET_APP_ID', when),
    appPrivateKeyPem: required(env, 'CAREPOINTS_WALLET_APP_PRIVATE_KEY', when),
    gatewayPublicKeyPem: required(env, 'CAREPOINTS_WALLET_GATEWAY_PUBLIC_KEY', when),
    timeoutMs: integerInRange(env, 'CAREPOINTS_WALLET_TIMEOUT_MS', 5_000, 100, 60_000),
  };
}

/** Addresses or CIDR ranges (10.0.0.0/8, fd00::/8), comma-separated; a bad entry names itself. */
function trustedProxies(env: Env): string[] {
  const raw = env.CAREPOINTS_TRUSTED_PROXIES;
  if (raw === undefined || raw.trim() === '') return [];
  return raw.split(',').map((entry) => {
    const trimmed = entry.trim();
    const [address = '', prefix, ...rest] = trimmed.split('/');
    const family = net.isIP(address);
    const maxPrefix = family === 4 ? 32 : 128;
    if (family === 0 || rest.length > 0 || (prefix !== undefined && (!/^[0-9]{1,3}$/.test(prefix) || Number(prefix) > maxPrefix))) {
      throw new ConfigError('CAREPOINTS_TRUSTED_PROXIES', `expected comma-separated addresses or CIDR ranges, got ${JSON.stringify(trimmed)}`);
    }
    return trimmed;
  });
}

/** A share written as a decimal in [0, 1] ("0.05"), at most 4 places: no exponent, no percent sign. */
function share(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^(0(\.[0-9]{1,4})?|1(\.0{1,4})?)$/.test(raw)) throw new ConfigError(name, `expected a share from 0 to 1 with at most 4 decimals (0.05 for 5 %), got ${JSON.stringify(raw)}`);
  return Number(raw);
}

/**
 * The sample's key: its own variable, else derived from the ID-hash key (a secret production always
 * has), else the development key, which anyone can read here.
 */
function auditSampleKey(env: Env): string {
  const key = env.CAREPOINTS_AUDIT_SAMPLE_KEY;
  if (key !== undefined && key !== '') {
    if (key.length < 16) throw new ConfigError('CAREPOINTS_AUDIT_SAMPLE_KEY', 'must be at least 16 characters');
    return key;
  }
  const idHashKey = env.CAREPOINTS_ID_HASH_KEY;
  return idHashKey ? createHmac('sha256', idHashKey).update('carepoints audit sample').digest('hex') : DEFAULT_AUDIT_SAMPLING.key;
}

function auditSampling(env: Env): AuditSampling {
  return {
    share: share(env, 'CAREPOINTS_AUDIT_SAMPLE_SHARE', DEFAULT_AUDIT_SAMPLING.share),
    // up to the classic cap of 100,000 fen: a threshold above every possible payout would audit none by amount
    alwaysFromFen: integerInRange(env, 'CAREPOINTS_AUDIT_ALWAYS_FROM_FEN', DEFAULT_AUDIT_SAMPLING.alwaysFromFen, 1, 100_000),
    key: auditSampleKey(env),
  };
}

/**
 * Off unless a service is named: a claim decided without its issuer is paid all the same (and the
 * sandbox service knows only the bills the simulator and the tests issue, not a real photo's).
 */
function invoiceVerifier(env: Env): InvoiceVerifierConfig | null {
  const url = env.CAREPOINTS_VERIFIER_URL;
  if (url === undefined || url === '') return null;
  if (!/^https?:\/\/\S+$/.test(url)) throw new ConfigError('CAREPOINTS_VERIFIER_URL', `expected an http(s) URL, got ${JSON.stringify(url)}`);
  return {
    url,
    token: required(env, 'CAREPOINTS_VERIFIER_TOKEN', 'when CAREPOINTS_VERIFIER_URL is set'),
    // bounded: a claim's decision waits for the issuer at most this long, then decides without it
    timeoutMs: integerInRange(env, 'CAREPOINTS_VERIFIER_TIMEOUT_MS', 2_000, 100, 30_000),
    dailyLimitPerBill: integerInRange(env, 'CAREPOINTS_VERIFIER_DAILY_LIMIT', 5, 1, 100),
  };
}

/** Whether a server list is one or more nats:// or tls:// URLs, comma-separated (also `carepoints ingest --nats`). */
export function isNatsServerList(servers: string): boolean {
  return servers.split(',').every((url) => /^(nats|tls):\/\/[^\s,]+$/.test(url));
}

function natsServers(env: Env): string | null {
  const servers = env.CAREPOINTS_NATS_URL;
  if (servers === undefined || servers === '') return null;
  if (!isNatsServerList(servers)) throw new ConfigError('CAREPOINTS_NATS_URL', `expected nats:// or tls:// URLs, comma-separated, got ${JSON.stringify(servers)}`);
  return servers;
}

export function loadConfig(env: Env = process.env): Config {
  const mode = environment(env);
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
  const sms = smsProvider(env, mode);
  const gateway = walletGateway(env, mode);
  if (mode === 'production') requireProductionSecrets(env);
  return {
    env: mode,
    smsProvider: sms,
    smsGateway: smsGateway(env, sms),
    port: integerInRange(env, 'PORT', 3000, 0, 65535),
    host,
    databaseUrl: databaseUrl(env),
    dataDir: path.resolve(env.CAREPOINTS_DATA_DIR || './data'),
    logLevel: logLevel as Config['logLevel'],
    apiKeys: apiKeys(env),
    idHashKey,
    databasePoolSize: integerInRange(env, 'DATABASE_POOL_SIZE', 10, 1, 200),
    platformPublicKey: platformPublicKey(env),
    platformAppId: platformAppId(env),
    filesDir: path.resolve(env.CAREPOINTS_FILES_DIR || path.join(env.CAREPOINTS_DATA_DIR || './data', 'files')),
    workerConcurrency: integerInRange(env, 'CAREPOINTS_WORKERS', 4, 0, 16),
    walletGateway: gateway,
    trustedProxies: trustedProxies(env),
    historyRetentionDays: integerInRange(env, 'CAREPOINTS_HISTORY_RETENTION_DAYS', DEFAULT_HISTORY_RETENTION_DAYS, MIN_HISTORY_RETENTION_DAYS, 3_650),
    reminderLeadTimes: {
      // under the classic 48-hour collection window: a lead as long as the window would remind at once
      lapseLeadHours: integerInRange(env, 'CAREPOINTS_REMINDER_LAPSE_LEAD_HOURS', DEFAULT_REMINDER_LEAD_TIMES.lapseLeadHours, 1, 47),
      // up to a month: a 30-day notice of expiring credit is sent apart (credit_expiring)
      expiryLeadHours: integerInRange(env, 'CAREPOINTS_REMINDER_EXPIRY_LEAD_HOURS', DEFAULT_REMINDER_LEAD_TIMES.expiryLeadHours, 1, 720),
    },
    auditSampling: auditSampling(env),
    invoiceVerifier: invoiceVerifier(env),
    natsServers: natsServers(env),
  };
}
