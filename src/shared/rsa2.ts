/**
 * RSA2 (SHA256withRSA) over the platform's signing string, as the platform signs its asynchronous
 * notifications.
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
// Only public-key blocks: createPublicKey would also derive a public key from a pasted private key.
const PUBLIC_PEM = /^-----BEGIN (RSA )?PUBLIC KEY-----/;

export interface SigningOptions {
  /** API requests (the `gateway.do` calls the SDK signs) sign `sign_type` along; notifications leave it out. */
  withSignType?: boolean;
}

/**
 * The fields sorted by key in byte order, without `sign`, without `sign_type` unless `withSignType` (the
 * platform's notification verification leaves both out) and without empty values, joined as `k=v&k=v`;
 * values already URL-decoded.
 */
export function signingString(fields: Record<string, string>, options: SigningOptions = {}): string {
  return Object.keys(fields)
    .filter((key) => key !== 'sign' && (options.withSignType || key !== 'sign_type') && fields[key] !== '')
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map((key) => `${key}=${fields[key]}`)
    .join('&');
}

/**
 * True when `sign` is the platform's RSA2 signature of the other fields. A missing or garbled signature,
 * or a non-string value from an untyped caller, is an answer (false), never an exception; a key that
 * cannot be read is a configuration error and throws.
 */
export function verifyRsa2(fields: Record<string, string>, platformPublicKey: string | KeyObject, options: SigningOptions = {}): boolean {
  const key = typeof platformPublicKey === 'string' ? publicKeyFrom(platformPublicKey) : platformPublicKey;
  if (Object.values(fields).some((value) => typeof value !== 'string')) return false;
  return verifyTextRsa2(signingString(fields, options), fields.sign, key);
}

/** The base64 RSA2 signature the platform would send; for tests, the simulator and benchmarks. */
export function signRsa2(fields: Record<string, string>, privateKey: string | KeyObject, options: SigningOptions = {}): string {
  return signTextRsa2(signingString(fields, options), privateKey);
}

/**
 * RSA2 over an exact text. API responses are signed this way: over the JSON text of their
 * `..._response` member as sent, not over sorted fields.
 */
export function signTextRsa2(text: string, privateKey: string | KeyObject): string {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  return sign('sha256', Buffer.from(text, 'utf8'), key).toString('base64');
}

/** True when `signature` is a base64 RSA2 signature of `text`; anything else (missing, garbled) is false. */
export function verifyTextRsa2(text: string, signature: unknown, publicKey: KeyObject): boolean {
  if (typeof signature !== 'string' || !BASE64.test(signature)) return false;
  try {
    return verify('sha256', Buffer.from(text, 'utf8'), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/**
 * The platform's public key from PEM (SPKI "PUBLIC KEY" or PKCS#1 "RSA PUBLIC KEY") or from the bare
 * base64 body its console shows (SPKI DER), so operators can paste whichever they have.
 */
export function publicKeyFrom(text: string): KeyObject {
  const trimmed = text.trim();
  let key: KeyObject | null = null;
  if (PUBLIC_PEM.test(trimmed)) {
    key = attempt(() => createPublicKey(trimmed));
  } else {
    const body = trimmed.replace(/\s+/g, '');
    if (BASE64.test(body)) {
      const der = Buffer.from(body, 'base64');
      key = attempt(() => createPublicKey({ key: der, format: 'der', type: 'spki' })) ?? attempt(() => createPublicKey({ key: der, format: 'der', type: 'pkcs1' }));
    }
  }
  if (key === null || key.asymmetricKeyType !== 'rsa') {
    throw new Error('not an RSA public key: expected a PEM "PUBLIC KEY" / "RSA PUBLIC KEY" block or the bare base64 key body from the platform console');
  }
  return key;
}

function attempt(make: () => KeyObject): KeyObject | null {
  try {
    return make();
  } catch {
    return null;
  }
}
