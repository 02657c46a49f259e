/**
 * The webhook at scale: a verified notification is handed to the payments stream of NATS JetStream
 * and answered once the stream holds it (the publish is acknowledged: stored, and on a cluster by a
 * quorum of the stream's replicas). Consumers (jetstream-ingest.ts) apply the stream in large
 * batches. A request no longer waits for a database transaction shared with a few dozen others,
 * which is what bounded the webhook; the effect stays exactly-once (the broker drops a repeat within
 * its window, the database any later one).
 */
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ensurePaymentsStream, publishPayment } from './jetstream.ts';
import { IngestBusyError, IngestUnavailableError, type NotificationSink } from './sink.ts';

export interface RelayOptions {
  /** One URL or a comma-separated list of a cluster's nodes. */
  servers: string;
  /** Publishes awaiting the stream's acknowledgement, at most; more are refused as busy (a few seconds of peak). */
  maxInFlight?: number;
  /** How long a publish may wait for the stream's acknowledgement before the sender is told to retry. */
  publishTimeoutMs?: number;
}

const DEFAULT_MAX_IN_FLIGHT = 10_000;
const DEFAULT_PUBLISH_TIMEOUT_MS = 5_000;
/** Fields that vouched for the notification here and mean nothing to a consumer. */
const SIGNATURE_FIELDS = new Set(['sign', 'sign_type']);

interface Queued {
  message: Record<string, string>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class JetStreamRelay implements NotificationSink {
  private inFlight = 0;
  private idle: (() => void)[] = [];
  /** Messages of requests that arrived in the same turn of the event loop, published together. */
  private queued: Queued[] = [];

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly maxInFlight: number,
  ) {}

  /** Connects and makes sure the stream exists (a relay that cannot reach the broker does not start). */
  static async connect(options: RelayOptions): Promise<JetStreamRelay> {
    const timeout = options.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS;
    // a node that dies takes its clients with it: they reconnect to another for as long as it takes
    const nc = await connect({ servers: options.servers.split(','), noAsyncTraces: true, maxReconnectAttempts: -1, timeout });
    try {
      await ensurePaymentsStream(await jetstreamManager(nc));
    } catch (err) {
      await nc.close();
      throw err;
    }
    return new JetStreamRelay(nc, jetstream(nc, { timeout }), options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
  }

  async submit(_notification: unknown, fields: Readonly<Record<string, string>>): Promise<null> {
    if (this.inFlight >= this.maxInFlight) throw new IngestBusyError(this.inFlight);
    this.inFlight++;
    try {
      await this.published(relayedFields(fields));
      return null;
    } catch (err) {
      throw new IngestUnavailableError(err instanceof Error ? err.message : String(err), { cause: err });
    } finally {
      if (--this.inFlight === 0) this.idle.splice(0).forEach((resolve) => resolve());
    }
  }

  /**
   * Publishes at the end of this turn of the event loop, with the other requests' of the turn: the
   * client then writes them to the broker in one system call, where one a request cost as much as
   * the rest of the request's work.
   */
  private published(message: Record<string, string>): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.queued.push({ message, resolve, reject }) === 1) setImmediate(() => this.publishQueued());
    });
  }

  private publishQueued(): void {
    for (const { message, resolve, reject } of this.queued.splice(0)) publishPayment(this.js, message).then(() => resolve(), reject);
  }

  async drain(): Promise<void> {
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  async close(): Promise<void> {
    await this.drain();
    if (this.nc.isClosed()) return;
    // a drain needs the broker; one that is gone leaves nothing to flush, and the connection just closes
    await this.nc.drain().catch(() => this.nc.close());
  }
}

/** The notification's fields as the consumers parse them: the platform's own, the signature dropped. */
export function relayedFields(fields: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) if (!SIGNATURE_FIELDS.has(name)) out[name] = value;
  return out;
}
