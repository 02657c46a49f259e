/**
 * Composition of the claim pipeline's workers: the file store, the recognizer (loaded on first job),
 * the hospital registry, the wallet gateway, and graphile-worker running the tasks. Used by
 * `carepoints serve` (in process), `carepoints worker`, the tests and the benchmark.
 */
import type pg from 'pg';
import { CLAIM_TASKS, claimTasks, type ClaimsRuntime } from './pipeline.ts';
import { releaseStaleJobs, startWorker, type JobTasks } from '../jobs/index.ts';
import { addDays, businessDay } from '../shared/business-day.ts';
import { reconcilePayoutDay, type GatewayBillRecord, type PayoutGateway } from '../payouts/index.ts';
import { databaseHospitalRegistry } from '../hospitals/index.ts';
import { createRecognizerPool, type Recognizer } from '../recognition/index.ts';
import type { FileStore } from '../storage/index.ts';
import type { AuditSampling } from '../config/config.ts';
import type { ClaimVerification } from './verification-store.ts';

const DEFAULT_JOB_LEASE_MS = 120_000;
const RECONCILE_TASK = 'reconcile_payouts';
// 18:00 UTC is 02:00 in Shanghai; a night missed (no worker running) is caught up for two days back
const RECONCILE_CRONTAB = `0 18 * * * ${RECONCILE_TASK} ?fill=2d`;
/** Two pages in flight: one in the OCR engine, the next being decoded and its QR read. */
const RECOGNITION_CONCURRENCY = 2;

/**
 * Connections the claim workers may hold at once: each of the two runners keeps one for its LISTEN
 * for good, each running job one, and the lease reaper one. A pool smaller than this (plus what else
 * the process holds) lets held connections starve the work that would release them.
 */
export function claimWorkerConnections(concurrency: number): number {
  return 2 + RECOGNITION_CONCURRENCY + concurrency + 1;
}

export interface ClaimWorkers {
  stop(): Promise<void>;
}

export async function startClaimWorkers(
  pool: pg.Pool,
  options: {
    files: FileStore;
    gateway: PayoutGateway;
    concurrency: number;
    /** Jobs locked longer than this are taken back from a worker presumed dead (default 2 minutes). */
    jobLeaseMs?: number;
    log?: (level: 'error' | 'warn' | 'info', message: string) => void;
    now?: () => Date;
    /** The gateway's daily bills: with them, yesterday's payouts are reconciled every night at 02:00 Shanghai. */
    bills?: (day: string) => Promise<GatewayBillRecord[]>;
    /** How long a registry copy serves before its version is checked again (default 5 s; tests 0). */
    hospitalsMaxStaleMs?: number;
    /** Which paid claims are drawn for audit (default DEFAULT_AUDIT_SAMPLING). */
    auditSampling?: AuditSampling;
    /** The invoice's issuer, asked before each decision (default: not asked). */
    verification?: ClaimVerification;
  },
): Promise<ClaimWorkers> {
  // the business clock: claims' decisions and the day a nightly run reconciles (tests and the demo set it)
  const now = options.now ?? (() => new Date());
  let recognizer: Promise<Recognizer> | null = null;
  const hospitals = databaseHospitalRegistry(pool, options.hospitalsMaxStaleMs === undefined ? {} : { maxStaleMs: options.hospitalsMaxStaleMs });
  const runtime: ClaimsRuntime = {
    pool,
    files: options.files,
    // worker threads: OCR never blocks this process's event loop (the API, when serve runs the workers)
    recognizer: () => (recognizer ??= createRecognizerPool()),
    // the database's registry, passed with each photo to the recognition threads (they match the issuer)
    hospitals: () => hospitals.current(),
    gateway: options.gateway,
    now,
    ...(options.auditSampling && { auditSampling: options.auditSampling }),
    ...(options.verification && { verification: options.verification }),
  };
  // Recognition is CPU-bound and runs one page at a time per process: its jobs get their own runner,
  // so that decisions and payouts never wait behind photos queued for the recognizer.
  const tasks = claimTasks(runtime);
  const { [CLAIM_TASKS.recognize]: recognize, ...quick } = tasks;
  const logOption = options.log ? { log: options.log } : {};
  const bills = options.bills;
  const nightly: JobTasks = bills
    ? {
        [RECONCILE_TASK]: async (payload) => {
          // the run of 02:00 on day D+1 reconciles day D; a backfilled run reconciles its own day before
          const cronTs = (payload as { _cron?: { ts?: string } })._cron?.ts;
          const at = cronTs === undefined ? now() : new Date(cronTs);
          const run = await reconcilePayoutDay(pool, bills, addDays(businessDay(at), -1));
          options.log?.(run.mismatches.length ? 'warn' : 'info', `payouts of ${run.businessDay} reconciled: ${run.postedPayouts} posted, ${run.gatewayRecords} gateway records, ${run.mismatches.length} mismatches`);
        },
      }
    : {};
  const runners = [
    await startWorker(pool, { [CLAIM_TASKS.recognize]: recognize! }, { concurrency: RECOGNITION_CONCURRENCY, pollIntervalMs: 2_000, ...logOption }),
    await startWorker(pool, { ...quick, ...nightly }, { concurrency: options.concurrency, pollIntervalMs: 2_000, ...logOption, ...(bills ? { crontab: RECONCILE_CRONTAB } : {}) }),
  ];
  const leaseMs = options.jobLeaseMs ?? DEFAULT_JOB_LEASE_MS;
  const reaper = setInterval(() => {
    releaseStaleJobs(pool, leaseMs).then(
      (n) => n > 0 && options.log?.('warn', `released ${n} job(s) locked longer than ${leaseMs} ms by a worker presumed dead`),
      () => {},
    );
  }, Math.max(1_000, leaseMs / 2));
  reaper.unref();
  return {
    async stop() {
      clearInterval(reaper);
      await Promise.all(runners.map((r) => r.stop()));
      if (recognizer) await (await recognizer).close();
    },
  };
}
