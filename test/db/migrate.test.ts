import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createPool } from '../../src/db/database.ts';
import { migrate, readMigrations, MIGRATIONS_DIR } from '../../src/db/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase({ migrated: false });
});
after(async () => db.close());

function copyOfMigrations(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carepoints-migrations-'));
  for (const f of fs.readdirSync(MIGRATIONS_DIR)) fs.copyFileSync(path.join(MIGRATIONS_DIR, f), path.join(dir, f));
  return dir;
}

test('applies every migration in order once and records it', async () => {
  const applied = await migrate(db.pool);
  assert.deepEqual(applied, readMigrations().map((m) => m.name));
  assert.deepEqual(await migrate(db.pool), [], 'a second run applies nothing');
  const { rows } = await db.pool.query('SELECT name FROM schema_migrations ORDER BY version');
  assert.deepEqual(rows.map((r) => r.name), applied);
});

test('concurrent migrators do not apply a migration twice', async () => {
  const results = await Promise.all([migrate(db.pool), migrate(db.pool), migrate(db.pool)]);
  assert.deepEqual(results, [[], [], []]);
});

test('refuses to run when a landed migration was edited', async () => {
  const dir = copyOfMigrations();
  const first = readMigrations(dir)[0]!;
  fs.appendFileSync(path.join(dir, first.name), '\n-- edited\n');
  await assert.rejects(migrate(db.pool, dir), /was edited after it was applied/);
});

test('a failing migration leaves nothing behind and names itself', async () => {
  const dir = copyOfMigrations();
  fs.writeFileSync(path.join(dir, '9999_broken.sql'), 'CREATE TABLE half_done (x int);\nSELECT no_such_function();\n');
  await assert.rejects(migrate(db.pool, dir), /9999_broken.sql failed/);
  const { rowCount } = await db.pool.query("SELECT 1 FROM pg_tables WHERE tablename = 'half_done'");
  assert.equal(rowCount, 0);
  const recorded = await db.pool.query("SELECT 1 FROM schema_migrations WHERE version = '9999'");
  assert.equal(recorded.rowCount, 0);
});

test('refuses a database that is newer than the program', async () => {
  await db.pool.query("INSERT INTO schema_migrations (version, name, checksum) VALUES ('9998', '9998_future.sql', repeat('a', 64))");
  try {
    await assert.rejects(migrate(db.pool), /does not know/);
  } finally {
    await db.pool.query("DELETE FROM schema_migrations WHERE version = '9998'");
  }
});

test('migrates through a pool of one connection, as `carepoints migrate` opens it (the job queue takes its own after ours)', { timeout: 60_000 }, async () => {
  const fresh = await createTestDatabase({ migrated: false });
  const single = createPool(fresh.url, 1);
  try {
    const applied = await migrate(single);
    assert.equal(applied.length, readMigrations(MIGRATIONS_DIR).length);
    const { rows } = await single.query("SELECT count(*)::int AS n FROM information_schema.schemata WHERE schema_name = 'graphile_worker'");
    assert.equal(rows[0].n, 1);
  } finally {
    await single.end();
    await fresh.close();
  }
});
