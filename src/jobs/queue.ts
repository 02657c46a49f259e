/**
 * The job queue: graphile-worker 0.16 on the same PostgreSQL. Chosen over pg-boss 10 for its
 * LISTEN/NOTIFY pickup (a job added in a committed transaction starts within milliseconds, where
 * pg-boss polls, 2 s at best); bench/claims.ts measures the hop. A job is enqueued with SQL in the
 * same transaction as the state change that needs it, so neither exists without the other.
 */
import type { TimeKey } from '../http/cursor.ts';
import { isoMicros } from '../db/time-key.ts';
import { Logger, run, runMigrations, type Runner, type Task } from 'graphile-worker';
import type pg from 'pg';
import { onlyRow } from '../shared/assert.ts';

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/** Explicit limits: attempts before a job is dead (then listed for operators), and workers per process. */
export const DEFAULT_MAX_ATTEMPTS = 10;
export const MAX_CONCURRENCY = 16;

export interface EnqueueOptions {
  /** Deduplicates: a second job with the same key while the first waits replaces nothing and adds nothing. */
  jobKey: string;
  maxAttempts?: number;
  runAt?: Date;
  /**
   * Adds nothing when a job with this key exists at all (waiting, running or dead). For a job queued
   * by a run of a job with a related key: the default mode, given the key of a running job, takes
   * that job's key and spends its attempts, so a worker dying there leaves a false entry on the dead list.
   */
  onlyIfAbsent?: boolean;
  /** Jobs of one named queue run one at a time, in order; jobs of other queues pass them. */
  queueName?: string;
}

export async function migrateJobs(pool: pg.Pool): Promise<void> {
  await runMigrations({ pgPool: pool, logger: silentLogger() });
}

export async function enqueue(db: Queryable, task: string, payload: Record<string, unknown>, options: EnqueueOptions): Promise<void> {
  await db.query('SELECT graphile_worker.add_job($1, $2::json, run_at => $3, max_attempts => $4, job_key => $5, job_key_mode => $6, queue_name => $7)', [
    task,
    JSON.stringify(payload),
    options.runAt ?? null,
    options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    options.jobKey,
    options.onlyIfAbsent ? 'unsafe_dedupe' : 'preserve_run_at',
    options.queueName ?? null,
  ]);
}

/**
 * Withdraws the waiting jobs with these keys, so a step already done by another run of it (a killed
 * worker's job taken back while its retry waited) leaves nothing behind. A job running now is left
 * alone: it finds its step done and ends. (graphile_worker.remove_job would instead spend its attempts,
 * and if its worker then died it would stay on the dead list, a false alarm.)
 */
export async function withdraw(db: Queryable, jobKeys: readonly string[]): Promise<void> {
  await db.query('DELETE FROM graphile_worker._private_jobs WHERE key = ANY($1::text[]) AND locked_at IS NULL', [jobKeys]);
}

/**
 * How many jobs with these keys wait to run (now or later): not running, and not dead. A running
 * one is not counted: it may end without queuing anything.
 */
export async function waitingJobs(db: Queryable, jobKeys: readonly string[]): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM graphile_worker._private_jobs WHERE key = ANY($1::text[]) AND locked_at IS NULL AND attempts < max_attempts',
    [jobKeys],
  );
  return onlyRow(rows, 'the count of waiting jobs').n;
}

export interface DeadJob {
  id: string;
  task: string;
  payload: unknown;
  attempts: number;
  lastError: string | null;
  updatedAt: Date;
}

/** How many jobs of a task are queued or running (not dead): the work a bound on that task's queue counts. */
export async function liveJobsOf(db: Queryable, task: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
      WHERE t.identifier = $1 AND j.attempts < j.max_attempts`,
    [task],
  );
  return onlyRow(rows, `the count of live ${task} jobs`).n;
}

/** Jobs that used every attempt: the dead-letter list operators see (not one running its last attempt). */
/** Dead jobs, most recently failed first; `after`: the page after that job (its time and id). */
export async function deadJobs(db: Queryable, options: { limit: number; after?: TimeKey }): Promise<(DeadJob & { updatedAtKey: string })[]> {
  const { rows } = await db.query<{ id: string; task_identifier: string; payload: unknown; attempts: number; last_error: string | null; updated_at: Date; updated_at_key: string }>(
    // the public jobs view of graphile-worker 0.16 leaves the payload out: it is on the private table
    `SELECT j.id::text, t.identifier AS task_identifier, j.payload, j.attempts, j.last_error, j.updated_at, ${isoMicros('j.updated_at')} AS updated_at_key
       FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
      WHERE j.attempts >= j.max_attempts AND j.locked_at IS NULL AND ($2::timestamptz IS NULL OR (j.updated_at, j.id) < ($2, $3::bigint))
      ORDER BY j.updated_at DESC, j.id DESC LIMIT $1`,
    [options.limit, options.after?.at ?? null, options.after?.id ?? null],
  );
  return rows.map((r) => ({ id: r.id, task: r.task_identifier, payload: r.payload, attempts: r.attempts, lastError: r.last_error, updatedAt: r.updated_at, updatedAtKey: r.updated_at_key }));
}

/**
 * Makes a dead job due now with its attempts reset, and wakes a worker (as add_job does); false when
 * no such job is dead (unknown, done, waiting or running). Not graphile_worker.reschedule_jobs: that
 * resets any job it is given, and the check that the job is dead must be part of the same UPDATE for
 * two operators retrying at once to retry it once.
 */
export async function retryDeadJob(db: Queryable, jobId: string): Promise<DeadJob | null> {
  const { rows } = await db.query<{ id: string; task_identifier: string; payload: unknown; attempts: number; last_error: string | null; updated_at: Date }>(
    `WITH retried AS (
       UPDATE graphile_worker._private_jobs SET attempts = 0, run_at = now(), updated_at = now()
        WHERE id = $1 AND attempts >= max_attempts AND locked_at IS NULL
        RETURNING id, task_id, payload, attempts, last_error, updated_at
     )
     SELECT r.id::text, t.identifier AS task_identifier, r.payload, r.attempts, r.last_error, r.updated_at, pg_notify('jobs:insert', '{"count":1}')
       FROM retried r JOIN graphile_worker._private_tasks t ON t.id = r.task_id`,
    [jobId],
  );
  const r = rows[0];
  return r ? { id: r.id, task: r.task_identifier, payload: r.payload, attempts: r.attempts, lastError: r.last_error, updatedAt: r.updated_at } : null;
}

/**
 * A worker killed mid-job (SIGKILL, a lost machine) leaves its job locked, and graphile-worker 0.16
 * only takes such a job back after 4 hours. Jobs locked longer than the lease are released here;
 * every step is idempotent, so a job that was in fact still running is merely done twice.
 */
export async function releaseStaleJobs(db: Queryable, leaseMs: number): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE graphile_worker._private_jobs SET locked_at = NULL, locked_by = NULL
      WHERE locked_at IS NOT NULL AND locked_at < now() - make_interval(secs => $1::float8 / 1000)`,
    [leaseMs],
  );
  return rowCount ?? 0;
}

export interface WorkerOptions {
  concurrency: number;
  /** Poll as a fallback for a lost notification; LISTEN/NOTIFY is the fast path. */
  pollIntervalMs?: number;
  log?: (level: 'error' | 'warn' | 'info', message: string) => void;
  /** graphile-worker crontab lines: each schedule runs once however many workers run it. */
  crontab?: string;
}

export type JobTasks = Record<string, Task>;

export async function startWorker(pool: pg.Pool, tasks: JobTasks, options: WorkerOptions): Promise<Runner> {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1 || options.concurrency > MAX_CONCURRENCY) {
    throw new RangeError(`worker concurrency must be 1..${MAX_CONCURRENCY}, got ${options.concurrency}`);
  }
  return run({
    pgPool: pool,
    taskList: tasks,
    concurrency: options.concurrency,
    pollInterval: options.pollIntervalMs ?? 1_000,
    noHandleSignals: true,
    ...(options.crontab ? { crontab: options.crontab } : {}),
    logger: options.log ? workerLogger(options.log) : silentLogger(),
  });
}


function silentLogger(): Logger {
  return new Logger(() => () => {});
}

function workerLogger(log: NonNullable<WorkerOptions['log']>): Logger {
  return new Logger(() => (level, message) => {
    if (level === 'error' || level === 'warning') log(level === 'error' ? 'error' : 'warn', message);
  });
}
