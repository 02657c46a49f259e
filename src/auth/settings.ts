import { hkdfSync } from 'node:crypto';
import type pg from 'pg';
import type { SmsDispatcher } from './sms.ts';

/** A rule of the sliding-window rate limiter: at most `limit` events per `windowMs`. */
export interface RateRule {
  limit: number;
  windowMs: number;
}

export interface AuthLimits {
  /** Code requests per phone, e.g. 1 a minute and 10 a day. */
  otpPerPhone: readonly RateRule[];
  /** Code requests per client address (IPv6: per /64). */
  otpPerAddress: readonly RateRule[];
  /** Failed sign-ins (wrong, expired or dead codes) per client address. */
  failedSignInsPerAddress: readonly RateRule[];
}

export const DEFAULT_AUTH_LIMITS: AuthLimits = {
  otpPerPhone: [
    { limit: 1, windowMs: 60_000 },
    { limit: 10, windowMs: 24 * 3600_000 },
  ],
  otpPerAddress: [{ limit: 20, windowMs: 3600_000 }],
  failedSignInsPerAddress: [{ limit: 50, windowMs: 3600_000 }],
};

export const OTP_LIFETIME_MS = 5 * 60_000;
export const OTP_MAX_FAILED_ATTEMPTS = 5;
export const SESSION_LIFETIME_MS = 30 * 24 * 3600_000;

/** What the auth capability needs at run time (part of AppContext). */
export interface AuthSettings {
  sms: SmsDispatcher;
  /** Always mark the session cookie Secure (production); otherwise only on https requests. */
  secureCookies: boolean;
  /** HMAC key of stored one-time codes. */
  otpKey: Buffer;
  /** HMAC key deriving a session's CSRF token from its cookie. */
  csrfKey: Buffer;
  limits: AuthLimits;
  /**
   * The merchants enrolled under a phone, oldest first: the merchants capability's look-up, handed in
   * by the composition root (merchants' routes use auth, so auth does not import merchants).
   */
  merchantIdsByPhone: (db: pg.PoolClient, phone: string) => Promise<number[]>;
}

/** Sub-keys of the programme secret (the ID-hash key every process shares), one per purpose. */
export function deriveKey(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'carepoints', `carepoints ${purpose} v1`, 32));
}

export function createAuthSettings(options: {
  secret: string;
  sms: SmsDispatcher;
  secureCookies: boolean;
  limits?: Partial<AuthLimits>;
  merchantIdsByPhone: AuthSettings['merchantIdsByPhone'];
}): AuthSettings {
  return {
    merchantIdsByPhone: options.merchantIdsByPhone,
    sms: options.sms,
    secureCookies: options.secureCookies,
    otpKey: deriveKey(options.secret, 'otp'),
    csrfKey: deriveKey(options.secret, 'csrf'),
    limits: { ...DEFAULT_AUTH_LIMITS, ...options.limits },
  };
}
