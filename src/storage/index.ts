/**
 * Content-addressed file storage: a file's name is the sha-256 of its bytes, so storing the same
 * bytes twice is one file, and a name never points at other bytes. Local disk by default; an object
 * store can replace it behind the same three calls.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface FileStore {
  /** Stores the bytes (idempotent) and returns their sha-256 in hex. */
  put(bytes: Buffer): Promise<string>;
  /** The bytes, or null when no file has that digest. */
  get(sha256: string): Promise<Buffer | null>;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function localFileStore(dir: string): FileStore {
  const pathOf = (sha256: string): string => path.join(dir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  return {
    async put(bytes) {
      const sha256 = sha256Hex(bytes);
      const target = pathOf(sha256);
      try {
        await fs.access(target);
        return sha256;
      } catch {
        // not there yet: write to a temporary name and rename, so a reader never sees half a file
      }
      await fs.mkdir(path.dirname(target), { recursive: true });
      const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
      await fs.writeFile(temporary, bytes, { flag: 'wx' });
      await fs.rename(temporary, target);
      return sha256;
    },
    async get(sha256) {
      if (!SHA256_HEX.test(sha256)) return null;
      try {
        return await fs.readFile(pathOf(sha256));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
  };
}
