import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { addStaffUser, countStaffUsers, recordAudit, StaffUserExists, type StaffRole } from '../auth/index.ts';
import { inTransaction } from '../db/transaction.ts';

/** A fresh development install's console users: an admin, and a reviewer to work the demo city's review queue. */
export const DEV_STAFF: readonly { username: string; displayName: string; role: StaffRole; file: string }[] = [
  { username: 'admin', displayName: 'Administrator', role: 'admin', file: 'console-admin.json' },
  { username: 'reviewer', displayName: '审核员', role: 'reviewer', file: 'console-reviewer.json' },
];

export interface DevConsoleUser {
  username: string;
  password: string;
  role: StaffRole;
  file: string;
}

/**
 * A fresh development install has no console user: create the DEV_STAFF with random passwords, each
 * kept in the data directory (mode 600) so that every start can print them, like the development API
 * keys. Returns those whose file exists here. Production creates its first admin with `carepoints staff add`.
 */
export async function devConsoleUsers(pool: pg.Pool, dataDir: string): Promise<DevConsoleUser[]> {
  if ((await countStaffUsers(pool)) === 0) {
    const passwords = DEV_STAFF.map(() => randomBytes(12).toString('base64url'));
    const created = await inTransaction(pool, async (client) => {
      for (const [i, user] of DEV_STAFF.entries()) {
        const added = await addStaffUser(client, { username: user.username, displayName: user.displayName, role: user.role, password: passwords[i]! });
        await recordAudit(client, { actorKind: 'system', actorId: 'serve', action: 'staff.add_user', subjectKind: 'staff_user', subjectId: added.staffId, details: { username: added.username, role: added.role, development: true } });
      }
      return true;
    }).catch((err: unknown) => {
      // several processes starting at once on one database: another one created them (and keeps the passwords)
      if (err instanceof StaffUserExists) return false;
      throw err;
    });
    if (created) {
      fs.mkdirSync(dataDir, { recursive: true });
      for (const [i, user] of DEV_STAFF.entries()) {
        fs.writeFileSync(path.join(dataDir, user.file), JSON.stringify({ username: user.username, password: passwords[i] }, null, 2) + '\n', { mode: 0o600 });
      }
    }
  }
  return DEV_STAFF.flatMap((user) => {
    const file = path.join(dataDir, user.file);
    if (!fs.existsSync(file)) return [];
    const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { username: string; password: string };
    return [{ ...stored, role: user.role, file }];
  });
}
