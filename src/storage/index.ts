/**
 * Content-addressed file storage: a file's name is the sha-256 of its bytes, so storing the same
 * bytes twice is one file, and a name never points at other bytes. Local disk by default; an object
 * store can replace it behind the same calls.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface FileStore {
  /** Stores the bytes (idempotent) and returns their sha-256 in hex. */
  put(bytes: Buffer): Promise<string>;
  /** The bytes, or null when no file has that digest. */
  get(sha256: string): Promise<Buffer | null>;
  /** The digests of files last stored (put) before `before`: candidates of the sweep of unreferenced files. */
  storedBefore(before: Date): AsyncIterable<string>;
  /** Removes a file unless it was stored again since `before` (an upload of the same bytes in flight); whether it removed it. */
  removeIfStoredBefore(sha256: string, before: Date): Promise<boolean>;
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
        // there already: its time is renewed, so the sweep of unreferenced files leaves it to the upload in flight
        const now = new Date();
        await fs.utimes(target, now, now);
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
    async *storedBefore(before) {
      for (const first of await subdirectories(dir)) {
        for (const second of await subdirectories(path.join(dir, first))) {
          for (const entry of await fs.readdir(path.join(dir, first, second), { withFileTypes: true })) {
            if (!entry.isFile() || !SHA256_HEX.test(entry.name)) continue;
            const stat = await fs.stat(path.join(dir, first, second, entry.name)).catch(() => null);
            if (stat && stat.mtime < before) yield entry.name;
          }
        }
      }
    },
    async removeIfStoredBefore(sha256, before) {
      if (!SHA256_HEX.test(sha256)) return false;
      const target = pathOf(sha256);
      const stat = await fs.stat(target).catch(() => null);
      if (!stat || stat.mtime >= before) return false;
      await fs.rm(target, { force: true });
      return true;
    },
  };
}

async function subdirectories(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
