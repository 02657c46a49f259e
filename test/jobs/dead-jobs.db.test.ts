import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Runner } from 'graphile-worker';
import { addStaffUser } from '../../src/auth/index.ts';
import { enqueue, startWorker } from '../../src/jobs/index.ts';
import { localFileStore } from '../../src/storage/index.ts';
import { assertError } from '../auth/support.ts';
import { asOps, asReviewer, createTestApp, type TestApp } from '../support/app.ts';

const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carepoints-jobs-'));
let t: TestApp;
let runner: Runner;
let runs = 0;
let succeeded: () => void;
const success = new Promise<void>((resolve) => (succeeded = resolve));

before(async () => {
  t = await createTestApp({ files: localFileStore(filesDir) });
  // fails on its first run (a downstream fault), succeeds once the operator has fixed it and retries
  runner = await startWorker(t.db.pool, { flaky_test_task: async () => {
    if (++runs === 1) throw new Error('the gateway was down');
  } }, { concurrency: 1 });
  // job:complete comes after the outcome is written (job:success and job:failed before)
  runner.events.on('job:complete', ({ error }) => {
    if (!error && runs > 1) succeeded();
  });
});
after(async () => {
  await runner.stop();
  await t.close();
  fs.rmSync(filesDir, { recursive: true, force: true });
});

test('an operator retries a dead job and it runs again; a job that is not dead cannot be retried', async () => {
  const failed = new Promise<void>((resolve) => runner.events.once('job:complete', () => resolve()));
  await enqueue(t.db.pool, 'flaky_test_task', {}, { jobKey: 'flaky', maxAttempts: 1 });
  await failed;
  const dead = (await t.app.inject({ method: 'GET', url: '/v1/ops/dead-jobs', headers: asOps })).json().data;
  assert.equal(dead.length, 1);
  assert.deepEqual([dead[0].task, dead[0].attempts, dead[0].lastError], ['flaky_test_task', 1, 'the gateway was down']);

  await addStaffUser(t.db.pool, { username: 'ops-admin', displayName: 'ops admin', role: 'admin', password: 'a long enough password' });
  const signIn = await t.app.inject({ method: 'POST', url: '/v1/staff/sessions', payload: { username: 'ops-admin', password: 'a long enough password' } });
  const admin = { cookie: `cp_staff=${signIn.cookies.find((c) => c.name === 'cp_staff')!.value}`, 'x-csrf-token': signIn.json().csrfToken, 'x-carepoints-app': 'console' };
  const retry = (id: string, headers: Record<string, string>) => t.app.inject({ method: 'POST', url: `/v1/ops/jobs/${id}/retry`, headers });

  assertError(await retry(dead[0].id, asReviewer), 403, 'forbidden');
  assertError(await retry('99999999', admin), 404, 'job_not_dead', 'id');
  assertError(await retry('not-a-number', asOps), 400, 'invalid_field', 'id');
  const res = await retry(dead[0].id, admin);
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual([res.json().id, res.json().attempts], [dead[0].id, 0]);
  await success;
  assert.equal(runs, 2, 'it ran again, once');
  assert.deepEqual((await t.app.inject({ method: 'GET', url: '/v1/ops/dead-jobs', headers: asOps })).json().data, []);
  assertError(await retry(dead[0].id, asOps), 404, 'job_not_dead', 'id');

  await enqueue(t.db.pool, 'flaky_test_task', {}, { jobKey: 'later', runAt: new Date(Date.now() + 3_600_000) });
  const { rows } = await t.db.pool.query<{ id: string }>("SELECT id::text FROM graphile_worker.jobs WHERE key = 'later'");
  assertError(await retry(rows[0]!.id, asOps), 404, 'job_not_dead', 'id');

  const audit = await t.db.pool.query("SELECT actor_id, subject_id, details FROM audit_log WHERE action = 'job.retry'");
  assert.equal(audit.rows.length, 1);
  assert.deepEqual(audit.rows[0].details, { task: 'flaky_test_task', lastError: 'the gateway was down' });
  assert.equal(audit.rows[0].subject_id, dead[0].id);
});
