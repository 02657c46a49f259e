/**
 * Keys for the two ends of the wallet gateway: the app's key pair (we sign requests, the gateway
 * verifies) and the gateway's (it signs answers, we verify). PEMs are normalised here because
 * alipay-sdk re-wraps whatever it is given under a fixed header: a PKCS#1 public key would silently
 * become a broken SPKI one.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

export interface KeyPairPem {
  privateKeyPem: string;
  publicKeyPem: string;
}

export interface GatewayKeys {
  /** Ours: the client signs requests with `app.privateKeyPem`; the sandbox verifies with `app.publicKeyPem`. */
  app: KeyPairPem;
  /** The platform's: the sandbox signs answers with `gateway.privateKeyPem`; the client verifies with `gateway.publicKeyPem`. */
  gateway: KeyPairPem;
}

/** Fresh RSA-2048 pairs for development and tests (the sandbox keeps no state across restarts either). */
export function generateGatewayKeys(): GatewayKeys {
  return { app: rsaPair(), gateway: rsaPair() };
}

function rsaPair(): KeyPairPem {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKeyPem: pkcs8Pem(privateKey), publicKeyPem: spkiPem(publicKey) };
}

/** An RSA private key (PKCS#1 or PKCS#8 PEM) read and checked; a key that cannot be read throws. */
export function rsaPrivateKeyFrom(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem.trim());
  } catch {
    throw new Error('not a private key: expected a PEM "PRIVATE KEY" or "RSA PRIVATE KEY" block');
  }
  if (key.asymmetricKeyType !== 'rsa') throw new Error('not an RSA private key');
  return key;
}

export function pkcs8Pem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString().trim();
}

export function spkiPem(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'pem' }).toString().trim();
}
