import { randomBytes } from 'node:crypto';
import { addStaffUser, MIN_STAFF_PASSWORD_CHARS, recordAudit, STAFF_ROLES, StaffUserExists, type StaffRole } from '../auth/index.ts';
import { loadConfig } from '../config/config.ts';
import { openDatabase } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { inTransaction } from '../db/transaction.ts';

const USAGE = `usage: carepoints staff add <username> --role admin|reviewer|analyst [--name "Display Name"]
  The password is read from CAREPOINTS_STAFF_PASSWORD (at least ${MIN_STAFF_PASSWORD_CHARS} characters), or generated and printed once.`;

function flag(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

/** `carepoints staff add`: a console user, e.g. the first admin of a production install. */
export async function staffCommand(args: string[]): Promise<number> {
  const [verb, username] = args;
  const role = flag(args, '--role');
  if (verb !== 'add' || !username || username.startsWith('--') || !role) {
    console.error(USAGE);
    return 2;
  }
  if (!(STAFF_ROLES as readonly string[]).includes(role)) {
    console.error(`--role must be one of ${STAFF_ROLES.join(', ')}, not ${JSON.stringify(role)}`);
    return 2;
  }
  if (!/^[a-z0-9][a-z0-9._@-]{2,63}$/.test(username)) {
    console.error('the username is 3–64 characters of a-z 0-9 . _ @ - (lower case), starting with a letter or digit');
    return 2;
  }
  const given = process.env.CAREPOINTS_STAFF_PASSWORD;
  if (given !== undefined && given.length < MIN_STAFF_PASSWORD_CHARS) {
    console.error(`CAREPOINTS_STAFF_PASSWORD must have at least ${MIN_STAFF_PASSWORD_CHARS} characters`);
    return 2;
  }
  const password = given ?? randomBytes(12).toString('base64url');
  const displayName = (flag(args, '--name') ?? username).slice(0, 64);
  const config = loadConfig();
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2, log: () => {} });
  try {
    await migrate(db.pool);
    const user = await inTransaction(db.pool, async (client) => {
      const added = await addStaffUser(client, { username, displayName, role: role as StaffRole, password });
      await recordAudit(client, { actorKind: 'system', actorId: 'cli', action: 'staff.add_user', subjectKind: 'staff_user', subjectId: added.staffId, details: { username, role } });
      return added;
    });
    console.log(`added ${user.role} ${user.username} (id ${user.staffId})${given === undefined ? `; password: ${password}` : ''}`);
    return 0;
  } catch (err) {
    if (err instanceof StaffUserExists) {
      console.error(err.message);
      return 1;
    }
    throw err;
  } finally {
    await db.close();
  }
}
