import type pg from 'pg';
import { MAX_INGEST_BATCH, type IngestResult } from './ingest.ts';
import { ingestIsolated } from './isolate.ts';
import type { PaymentNotification } from './notification.ts';
import { IngestBusyError, type NotificationSink } from './sink.ts';


export interface IngestBatcherOptions {
  maxBatch: number;
  maxWaitMs: number;
  maxInFlight: number;
  /** Notifications waiting beyond the batches in flight; more are refused with IngestBusyError, not held in memory. */
  maxQueued: number;
}

/** A few seconds of the webhook's peak rate: past it the database is behind and holding more only costs memory. */
export const DEFAULT_INGEST_OPTIONS: IngestBatcherOptions = { maxBatch: 2_000, maxWaitMs: 5, maxInFlight: 2, maxQueued: 10_000 };

interface Waiting {
  notification: PaymentNotification;
  resolve: (r: IngestResult) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit for the webhook: notifications arriving within a few milliseconds share one
 * transaction, and each request is answered only once its batch has committed. A poison
 * notification is isolated and parked without failing its neighbours; only a database outage fails
 * a batch's requests, and the sender retries them.
 */
export class IngestBatcher implements NotificationSink {
  private queue: Waiting[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight = 0;
  private idle: (() => void)[] = [];

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: IngestBatcherOptions = DEFAULT_INGEST_OPTIONS,
  ) {
    if (options.maxBatch < 1 || options.maxBatch > MAX_INGEST_BATCH) throw new RangeError(`maxBatch must be 1..${MAX_INGEST_BATCH}`);
  }

  submit(notification: PaymentNotification): Promise<IngestResult> {
    if (this.queue.length >= this.options.maxQueued) return Promise.reject(new IngestBusyError(this.queue.length));
    return new Promise((resolve, reject) => {
      this.queue.push({ notification, resolve, reject });
      if (this.queue.length >= this.options.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.maxWaitMs);
    });
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.queue.length && this.inFlight < this.options.maxInFlight) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight++;
      ingestIsolated(
        this.pool,
        batch.map((w) => w.notification),
        'webhook',
      ).then(
        (results) => batch.forEach((w, i) => w.resolve(results[i]!)),
        (err: unknown) => batch.forEach((w) => w.reject(err)),
      ).finally(() => {
        this.inFlight--;
        if (this.queue.length) this.flush();
        else if (this.inFlight === 0) this.idle.splice(0).forEach((f) => f());
      });
    }
  }

  /** Resolves when everything submitted so far has been applied or refused. */
  async drain(): Promise<void> {
    if (this.queue.length) this.flush();
    if (this.inFlight === 0 && this.queue.length === 0) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
  }
}
