import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { readEnrolmentCsv } from '../../src/cli/import-merchants.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { enrolment, residentId } from '../support/fixtures.ts';

const run = promisify(execFile);
const HEADER = 'walletUserId,legalName,idNumber,phone,city,enrolledAt';
let db: TestDatabase;
let dir: string;
before(async () => {
  db = await createTestDatabase();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carepoints-import-'));
});
after(async () => {
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function csv(rows: number[], mutate: (line: string[], n: number) => string[] = (l) => l): string {
  return [HEADER, ...rows.map((n) => mutate(Object.values(enrolment(n)), n).join(','))].join('\n') + '\n';
}

async function cli(file: string, ...flags: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/carepoints.js', 'import-merchants', file, ...flags], { env: { ...process.env, DATABASE_URL: db.url } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('reports every bad row with its line and field', () => {
  const text = csv([1, 2, 3, 4], (line, n) => {
    if (n === 2) line[2] = '110105194912310021';
    if (n === 4) line[3] = '999';
    return line;
  });
  const { rows, problems } = readEnrolmentCsv(text);
  assert.equal(rows.length, 2);
  assert.deepEqual(problems.map((p) => [p.line, p.field]), [[3, 'idNumber'], [5, 'phone']]);
  assert.equal(readEnrolmentCsv('wallet,name\n1,2\n').problems[0]!.line, 1, 'a wrong header is named');
});

test('the CLI imports a valid file and opens every account', async () => {
  const file = path.join(dir, 'ok.csv');
  fs.writeFileSync(file, csv(Array.from({ length: 250 }, (_, i) => 1000 + i)));
  const res = await cli(file);
  assert.equal(res.code, 0, res.stderr);
  assert.deepEqual(JSON.parse(res.stdout), { imported: 250, duplicates: 0 });
  const { rows } = await db.pool.query("SELECT count(*)::int n FROM ledger_accounts WHERE kind IN ('merchant_pending', 'merchant_available', 'merchant_debt')");
  assert.equal(rows[0].n, 750);
});

test('an invalid row or a duplicate stops the whole import; --skip-duplicates imports the rest', async () => {
  const before = (await db.pool.query('SELECT count(*)::int n FROM merchants')).rows[0].n;
  const bad = path.join(dir, 'bad.csv');
  fs.writeFileSync(bad, csv([2000, 2001], (line, n) => (n === 2001 ? (line.splice(4, 1, ''), line) : line)));
  const invalid = await cli(bad);
  assert.equal(invalid.code, 1);
  assert.match(invalid.stderr, /bad\.csv:3: city/);
  const dup = path.join(dir, 'dup.csv');
  fs.writeFileSync(dup, csv([3000, 1000, 3001]));
  const refused = await cli(dup);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /dup\.csv:3: walletUserId: already enrolled/);
  assert.equal((await db.pool.query('SELECT count(*)::int n FROM merchants')).rows[0].n, before, 'nothing written');
  const skipped = await cli(dup, '--skip-duplicates');
  assert.equal(skipped.code, 0);
  assert.deepEqual(JSON.parse(skipped.stdout), { imported: 2, duplicates: 1 });
});

test("a row refused for its resident ID gives its wallet back; the global keys name exactly the enrolled merchants", async () => {
  const idTaken = path.join(dir, 'id-taken.csv');
  fs.writeFileSync(idTaken, csv([4000, 4001], (line, n) => (n === 4001 ? (line.splice(2, 1, residentId(1001)), line) : line)));
  const refused = await cli(idTaken, '--skip-duplicates');
  assert.equal(refused.code, 0, refused.stderr);
  assert.deepEqual(JSON.parse(refused.stdout), { imported: 1, duplicates: 1 });
  assert.match(refused.stderr, /id-taken\.csv:3: idNumber: already enrolled/);
  const walletFree = path.join(dir, 'wallet-free.csv');
  fs.writeFileSync(walletFree, csv([4001]));
  assert.deepEqual(JSON.parse((await cli(walletFree)).stdout), { imported: 1, duplicates: 0 }, 'the wallet of the refused row is free');
  const { rows } = await db.pool.query(`
    SELECT (SELECT count(*) FROM merchants)::int AS merchants,
           (SELECT count(*) FROM merchant_wallets)::int AS wallets,
           (SELECT count(*) FROM merchant_wallets w JOIN merchants m USING (merchant_id, wallet_user_id))::int AS wallets_matching,
           (SELECT count(*) FROM merchant_identities)::int AS identities,
           (SELECT count(*) FROM merchant_identities i JOIN merchants m USING (merchant_id, id_number_hash))::int AS identities_matching`);
  const n = rows[0].merchants;
  assert.deepEqual(rows[0], { merchants: n, wallets: n, wallets_matching: n, identities: n, identities_matching: n });
});

test('usage errors exit 2', async () => {
  assert.equal((await cli(path.join(dir, 'missing.csv'))).code, 2);
  assert.equal((await cli(path.join(dir, 'ok.csv'), '--frobnicate')).code, 2);
});
