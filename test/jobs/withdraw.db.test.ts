/**
 * Withdrawing a step's job once the step is done elsewhere: a waiting job goes; a running one (or one
 * whose worker died holding it) is left whole, to run, find the step done and end, never to sit on
 * the dead list with its attempts spent.
 * (Also: a retry queued "only if absent" leaves a running job with its key alone, and what counts
 * as waiting.)
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { enqueue, waitingJobs, withdraw } from '../../src/jobs/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
});
after(async () => db.close());

async function jobsOf(key: string): Promise<{ locked: boolean; attempts: number; max_attempts: number }[]> {
  const { rows } = await db.pool.query('SELECT locked_at IS NOT NULL AS locked, attempts, max_attempts FROM graphile_worker._private_jobs WHERE key = $1', [key]);
  return rows;
}

test('a waiting job is withdrawn; a running one keeps its key and attempts', async () => {
  await enqueue(db.pool, 'withdraw_test', {}, { jobKey: 'w:waiting', runAt: new Date(Date.now() + 60_000), maxAttempts: 5 });
  await enqueue(db.pool, 'withdraw_test', {}, { jobKey: 'w:running', maxAttempts: 5 });
  await db.pool.query("UPDATE graphile_worker._private_jobs SET locked_at = now(), locked_by = 'a worker', attempts = 1 WHERE key = 'w:running'");

  await withdraw(db.pool, ['w:waiting', 'w:running', 'w:unknown']);

  assert.deepEqual(await jobsOf('w:waiting'), []);
  assert.deepEqual(await jobsOf('w:running'), [{ locked: true, attempts: 1, max_attempts: 5 }]);
});

test('waiting jobs are those that will run: not one running, not a dead one', async () => {
  await enqueue(db.pool, 'withdraw_test', {}, { jobKey: 'c:later', runAt: new Date(Date.now() + 60_000), maxAttempts: 5 });
  await enqueue(db.pool, 'withdraw_test', {}, { jobKey: 'c:running', maxAttempts: 5 });
  await enqueue(db.pool, 'withdraw_test', {}, { jobKey: 'c:dead', maxAttempts: 5 });
  await db.pool.query("UPDATE graphile_worker._private_jobs SET locked_at = now(), locked_by = 'a worker', attempts = 1 WHERE key = 'c:running'");
  await db.pool.query("UPDATE graphile_worker._private_jobs SET attempts = 5, last_error = 'gave up' WHERE key = 'c:dead'");

  assert.equal(await waitingJobs(db.pool, ['c:later', 'c:running', 'c:dead', 'c:none']), 1);
  assert.equal(await waitingJobs(db.pool, ['c:running', 'c:dead']), 0);
});

test('a job queued only if absent leaves a running job with that key whole, where the default mode spends its attempts', async () => {
  for (const key of ['a:kept', 'a:taken']) {
    await enqueue(db.pool, 'withdraw_test', {}, { jobKey: key, maxAttempts: 5 });
    await db.pool.query("UPDATE graphile_worker._private_jobs SET locked_at = now(), locked_by = 'a worker', attempts = 1 WHERE key = $1", [key]);
  }

  await enqueue(db.pool, 'withdraw_test', { again: true }, { jobKey: 'a:kept', maxAttempts: 5, onlyIfAbsent: true });
  await enqueue(db.pool, 'withdraw_test', { again: true }, { jobKey: 'a:taken', maxAttempts: 5 });

  assert.deepEqual(await jobsOf('a:kept'), [{ locked: true, attempts: 1, max_attempts: 5 }]);
  // graphile-worker's own behaviour, the reason for onlyIfAbsent: the running job loses its key and
  // its attempts; a new job takes the key
  assert.deepEqual(await jobsOf('a:taken'), [{ locked: false, attempts: 0, max_attempts: 5 }]);
  const { rows } = await db.pool.query("SELECT attempts, max_attempts FROM graphile_worker._private_jobs WHERE key IS NULL AND locked_by = 'a worker'");
  assert.deepEqual(rows, [{ attempts: 5, max_attempts: 5 }]);
});
