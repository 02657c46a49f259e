import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { randomUUID } from 'node:crypto';
import { UNREFERENCED_FILE_GRACE_MS } from '../../src/claims/file-sweep.ts';
import { insertClaim } from '../../src/claims/store.ts';
import { periodicRound } from '../../src/cli/periodic.ts';
import { DEFAULT_REMINDER_LEAD_TIMES } from '../../src/config/config.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import { localFileStore } from '../../src/storage/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { enrolMerchants } from '../support/fixtures.ts';

// issue 21 Medium 4: uploads stored before a transaction that refused them are swept once past the grace period
let db: TestDatabase;
let dir: string;
before(async () => {
  db = await createTestDatabase();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'carepoints-file-sweep-'));
});
after(async () => {
  await db.close();
  await fs.rm(dir, { recursive: true, force: true });
});

test('the periodic sweep removes a stored file no claim references once past the grace period; a referenced file, a fresh one and one sent again stay', async () => {
  const files = localFileStore(dir);
  const pathOf = (sha256: string) => path.join(dir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  const backdate = (sha256: string) => {
    const old = new Date(Date.now() - UNREFERENCED_FILE_GRACE_MS - 60_000);
    return fs.utimes(pathOf(sha256), old, old);
  };
  const exists = (sha256: string) => fs.access(pathOf(sha256)).then(() => true, () => false);

  const orphan = await files.put(Buffer.from('a page whose submission was refused'));
  const claimed = await files.put(Buffer.from('a page of a committed claim'));
  const fresh = await files.put(Buffer.from('a page still being uploaded'));
  // bytes stored long ago and sent again now: the upload in flight renews them
  const resent = await files.put(Buffer.from('a page sent a second time'));
  await backdate(resent);
  assert.equal(await files.put(Buffer.from('a page sent a second time')), resent);
  const [merchant] = await enrolMerchants(db.pool, 1, 61);
  await inTransaction(db.pool, (client) =>
    insertClaim(client, { merchantId: merchant!.id, claimId: randomUUID(), files: [{ sha256: claimed, mediaType: 'image/png', sizeBytes: 27, role: 'invoice' }], submittedAt: new Date() }),
  );
  await backdate(orphan);
  await backdate(claimed);

  const lines: string[] = [];
  const log = (_level: string, fields: object, message: string) => void lines.push(`${message} ${JSON.stringify(fields)}`);
  assert.equal(await periodicRound(db.pool, log, { historyRetentionDays: 400, reminderLeadTimes: DEFAULT_REMINDER_LEAD_TIMES, files }, new Date()), true);
  assert.deepEqual([await exists(orphan), await exists(claimed), await exists(fresh), await exists(resent)], [false, true, true, true]);
  assert.ok(lines.includes('unreferenced files removed {"count":1}'), lines.join('\n'));
  assert.equal(await files.get(orphan), null);
});
