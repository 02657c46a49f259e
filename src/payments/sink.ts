import type { IngestResult } from './plan.ts';
import type { PaymentNotification } from './notification.ts';

/**
 * Where the webhook hands a verified notification: applied in this process by group commit
 * (batcher.ts), or relayed to JetStream for the consumers to apply (relay.ts).
 */
export interface NotificationSink {
  /**
   * Resolves once the notification is durable: with its result when it was applied here, or null
   * when a durable queue holds it for a consumer. Rejects with IngestBusyError when too many wait,
   * IngestUnavailableError when the queue cannot take it, or the database's error.
   */
  submit(notification: PaymentNotification, fields: Readonly<Record<string, string>>): Promise<IngestResult | null>;
  /** Resolves when everything submitted so far has been answered. */
  drain(): Promise<void>;
}

/** Too many notifications wait: the sender is told to retry (the platform retries unanswered notifications). */
export class IngestBusyError extends Error {
  constructor(readonly waiting: number) {
    super(`${waiting} payment notifications are waiting to be applied`);
    this.name = 'IngestBusyError';
  }
}

/** The queue the notification was to be relayed to did not take it: the sender is told to retry. */
export class IngestUnavailableError extends Error {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`the payment stream did not take the notification: ${reason}`, options);
    this.name = 'IngestUnavailableError';
  }
}
