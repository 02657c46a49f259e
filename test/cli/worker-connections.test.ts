/**
 * A `carepoints worker` running one job at a time does its share of the periodic sweeps and still
 * stops cleanly. Its pool once had room for its jobs only: the two job runners' LISTEN connections
 * plus a round's lock left the round's own work waiting for a connection for ever, and with it every
 * claim job of the process (seen on CI as a claim never paid and a worker that could not stop).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { SandboxGateway } from '../../src/payouts/index.ts';
import { CarepointsProcess, carepointsEnv } from '../support/carepoints-process.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { startSandboxWallet } from '../support/sandbox-wallet.ts';

const SWEPT = /idempotency keys forgotten/;
let db: TestDatabase;
let sandbox: SandboxGateway;
let walletEnv: Record<string, string>;
before(async () => {
  db = await createTestDatabase();
  ({ sandbox, env: walletEnv } = await startSandboxWallet());
});
after(async () => {
  await sandbox?.close();
  await db?.close();
});

test('a worker with one job at a time completes its periodic round and stops with 0', { timeout: 120_000 }, async () => {
  // something for its round to do, and to say it did
  await db.pool.query(
    "INSERT INTO idempotency_keys (scope, idempotency_key, request_hash, response_status, response_body, created_at) VALUES ('s', 'k', repeat('a', 64), 201, '{}', now() - interval '2 days')",
  );
  const worker = CarepointsProcess.spawn(
    'worker',
    ['worker'],
    carepointsEnv(db.url, {
      LOG_LEVEL: 'info',
      CAREPOINTS_WORKERS: '1',
      ...walletEnv,
    }),
  );
  // the round's failure is the one to report; the exit code is checked after it
  const swept = (async () => {
    await worker.waitFor(/worker running 1 jobs at a time/);
    // the first round starts one interval (10 s) after the start
    await worker.waitFor(SWEPT, 60_000);
  })();
  await swept.catch(() => {});
  const code = await worker.stop(35_000);
  await swept;
  assert.equal(code, 0, worker.tail);
  const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM idempotency_keys');
  assert.equal(rows[0]!.n, 0);
});
