import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { freePort } from '../../src/db/embedded.ts';
import { enrolment } from '../support/fixtures.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carepoints-serve-'));
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

/** `--no-demo`: this test is about the process, not the demo city (test/cli/dev-demo.test.ts). */
async function start(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['bin/carepoints.js', 'serve', '--no-demo'], {
    env: { ...process.env, DATABASE_URL: '', PORT: String(port), HOST: '127.0.0.1', CAREPOINTS_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
    if (ok) return child;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('serve did not become ready');
}

async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill(signal);
  return exited;
}

function postgresRunning(): boolean {
  const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return false;
  try {
    process.kill(Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]), 0);
    return true;
  } catch {
    return false;
  }
}

test('serve runs on its embedded PostgreSQL, stops cleanly on SIGTERM/SIGINT and keeps its data across restarts', async () => {
  const port = await freePort();
  const first = await start(port);
  const keys = JSON.parse(fs.readFileSync(path.join(dataDir, 'api-keys.json'), 'utf8'));
  const created = await fetch(`http://127.0.0.1:${port}/v1/merchants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${keys.ops}`, 'content-type': 'application/json' },
    body: JSON.stringify(enrolment(1)),
  });
  assert.equal(created.status, 201);
  const merchant = (await created.json()) as { id: string };
  assert.equal(await stop(first, 'SIGTERM'), 0);
  assert.equal(postgresRunning(), false, 'the embedded PostgreSQL stopped with the server');

  const second = await start(port);
  const read = await fetch(`http://127.0.0.1:${port}/v1/merchants/${merchant.id}`, { headers: { authorization: `Bearer ${keys.ops}` } });
  assert.equal(read.status, 200, 'the merchant survived the restart');
  assert.equal(await stop(second, 'SIGINT'), 0);
  assert.equal(postgresRunning(), false);
});

test('serve refuses an option it does not know, before starting anything', async () => {
  const child = spawn(process.execPath, ['bin/carepoints.js', 'serve', '--no-demos'], { env: { ...process.env, CAREPOINTS_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  assert.equal(code, 2);
  assert.match(stderr, /unknown option "--no-demos" for serve\nusage: carepoints <command>/);
});

test('a bad configuration value is refused with a message naming it', async () => {
  const child = spawn(process.execPath, ['bin/carepoints.js', 'serve'], { env: { ...process.env, PORT: 'eighty' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  assert.equal(code, 1);
  assert.match(stderr, /invalid configuration PORT: expected an integer, got "eighty"/);
});
