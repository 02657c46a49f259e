/** Jobs on PostgreSQL (graphile-worker): enqueue inside a transaction, run workers, list and retry dead jobs. */
export { enqueue, withdraw, waitingJobs, liveJobsOf, deadJobs, retryDeadJob, releaseStaleJobs, migrateJobs, startWorker, DEFAULT_MAX_ATTEMPTS, type DeadJob, type EnqueueOptions, type JobTasks, type WorkerOptions } from './queue.ts';
