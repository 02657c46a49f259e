import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { API_ROLES, type ApiRole } from '../config/config.ts';

const DEV_KEY_PREFIX: Record<ApiRole, string> = { ops: 'ops', platform: 'plat', reviewer: 'rev' };

/**
 * Without CAREPOINTS_API_KEYS, a local run still needs keys: generate one per role once, keep them
 * in the data directory (mode 600) and reuse them on every start. A role added since the file was
 * written (e.g. reviewer) gets its key added; the existing keys stay.
 */
export function devApiKeys(dataDir: string): { keys: Map<string, ApiRole>; file: string; byRole: Record<ApiRole, string> } {
  const file = path.join(dataDir, 'api-keys.json');
  const stored: Partial<Record<ApiRole, string>> = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Record<ApiRole, string>>) : {};
  const missing = API_ROLES.filter((role) => typeof stored[role] !== 'string');
  const byRole = Object.fromEntries(API_ROLES.map((role) => [role, stored[role] ?? `${DEV_KEY_PREFIX[role]}_${randomBytes(24).toString('base64url')}`])) as Record<ApiRole, string>;
  if (missing.length > 0) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ ...stored, ...byRole }, null, 2) + '\n', { mode: 0o600 });
  }
  return { keys: new Map(API_ROLES.map((role) => [byRole[role], role])), file, byRole };
}

/**
 * Without CAREPOINTS_PLATFORM_PUBLIC_KEY, a local run plays the payment platform itself: a key pair
 * kept in the data directory signs the simulator's notifications and verifies them at the webhook.
 */
export function devPlatformKeys(dataDir: string): { publicKeyPem: string; privateKeyFile: string } {
  const privateKeyFile = path.join(dataDir, 'platform-private-key.pem');
  const publicKeyFile = path.join(dataDir, 'platform-public-key.pem');
  if (!fs.existsSync(privateKeyFile)) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(privateKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    fs.writeFileSync(publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }));
  }
  return { publicKeyPem: fs.readFileSync(publicKeyFile, 'utf8'), privateKeyFile };
}
