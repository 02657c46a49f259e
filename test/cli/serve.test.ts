import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { freePort } from '../../src/db/embedded.ts';
import { signRsa2 } from '../../src/shared/rsa2.ts';
import { enrolment } from '../support/fixtures.ts';
import { startNatsServer } from '../support/nats.ts';
import { payerWallet } from '../support/payments.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carepoints-serve-'));
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

/** `--no-demo`: this test is about the process, not the demo city (test/cli/dev-demo.test.ts). */
async function start(port: number, env: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['bin/carepoints.js', 'serve', '--no-demo'], {
    env: { ...process.env, DATABASE_URL: '', PORT: String(port), HOST: '127.0.0.1', CAREPOINTS_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env },
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

test('with CAREPOINTS_NATS_URL, serve relays a signed notification to JetStream, applies it from the stream, and stops cleanly', async () => {
  const nats = await startNatsServer();
  try {
    const port = await freePort();
    const server = await start(port, { CAREPOINTS_NATS_URL: nats.url });
    const keys = JSON.parse(fs.readFileSync(path.join(dataDir, 'api-keys.json'), 'utf8'));
    const created = await fetch(`http://127.0.0.1:${port}/v1/merchants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.ops}`, 'content-type': 'application/json' },
      body: JSON.stringify(enrolment(2)),
    });
    const merchant = (await created.json()) as { id: string };
    const now = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
    const fields = { app_id: '2021000000000000', trade_no: `S${Date.now()}`, buyer_id: payerWallet(1), seller_id: enrolment(2).walletUserId, trade_status: 'TRADE_SUCCESS', total_amount: '12.50', gmt_payment: now };
    const privateKey = fs.readFileSync(path.join(dataDir, 'platform-private-key.pem'), 'utf8');
    const answer = await fetch(`http://127.0.0.1:${port}/v1/notify/payment`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...fields, sign_type: 'RSA2', sign: signRsa2(fields, privateKey) }).toString(),
    });
    assert.equal(await answer.text(), 'success');
    // applied by the server's own consumer: the balance shows it (bounded wait for that state)
    const deadline = Date.now() + 30_000;
    let pendingFen = 0;
    while (pendingFen === 0 && Date.now() < deadline) {
      const balance = await fetch(`http://127.0.0.1:${port}/v1/merchants/${merchant.id}/balance`, { headers: { authorization: `Bearer ${keys.ops}` } });
      pendingFen = ((await balance.json()) as { pendingFen: number }).pendingFen;
      if (pendingFen === 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(pendingFen, 400, 'the payer credit and the welcome credit');
    assert.equal(await stop(server, 'SIGTERM'), 0);
  } finally {
    await nats.stop();
  }
});
