/**
 * The scale path for payment notifications: JSON messages on a JetStream stream, de-duplicated by the
 * broker on publish and handed to the accrual in large batches. The database makes the effect
 * exactly-once; the broker only keeps repeats and losses rare.
 */
import { AckPolicy, DeliverPolicy, JetStreamApiError, jetstream, jetstreamManager, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg, type PubAck } from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';

export const PAYMENTS_STREAM = 'PAYMENTS';
export const PAYMENTS_SUBJECT = 'payments.notify';

const DEFAULT_DUPLICATE_WINDOW_MS = 2 * 60_000;
const DEFAULT_DURABLE = 'payments-accrual';
const DEFAULT_BATCH_SIZE = 8_000;
const DEFAULT_MAX_WAIT_MS = 150;
export const DEFAULT_LANES = 2;
export const MAX_LANES = 16;
// Messages wait for at most one running batch plus one filling batch; a minute covers a slow database.
// It is also how long the batches of a consumer that died wait before another consumer gets them.
const DEFAULT_ACK_WAIT_MS = 60_000;
// Enough publishes in flight to hide the round trip, few enough not to hit the request timeout.
const PUBLISH_WINDOW = 1_024;
const NAK_DELAY_MS = 1_000;
const MAX_NAK_DELAY_MS = 60_000;
const STREAM_NAME_IN_USE = 10058;
// Anything that cannot be a subject token still goes on the stream, so the consumer records it as malformed.
const SUBJECT_TOKEN = /^[A-Za-z0-9_-]+$/;

/**
 * Creates the stream, or brings an existing one to this duplicate window. `replicas`: copies kept on
 * a cluster's nodes (3 survives the loss of one); a new stream gets 1 unless told, an existing one
 * keeps its count unless told, so a consumer starting with defaults never shrinks a replicated stream.
 */
export async function ensurePaymentsStream(jsm: JetStreamManager, options: { duplicateWindowMs?: number; replicas?: number } = {}): Promise<void> {
  const config = { subjects: [`${PAYMENTS_SUBJECT}.>`], duplicate_window: nanos(options.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS) };
  try {
    // Adding a stream with an identical configuration is a no-op on the server.
    await jsm.streams.add({ name: PAYMENTS_STREAM, ...config, num_replicas: options.replicas ?? 1 });
  } catch (err) {
    if (!(err instanceof JetStreamApiError) || err.code !== STREAM_NAME_IN_USE) throw err;
    const { config: current } = await jsm.streams.info(PAYMENTS_STREAM);
    await jsm.streams.update(PAYMENTS_STREAM, { ...config, num_replicas: options.replicas ?? current.num_replicas });
  }
}

/** Subject partitioned by merchant, so a cluster can spread merchants over streams or consumers. */
function paymentSubject(message: Readonly<Record<string, string>>): string {
  const seller = message.seller_id;
  return `${PAYMENTS_SUBJECT}.${seller !== undefined && SUBJECT_TOKEN.test(seller) ? seller : '_'}`;
}

/** One state change of one trade is one message; refund_fee is the cumulative refund, so each refund differs. */
function paymentMessageId(message: Readonly<Record<string, string>>): string | undefined {
  if (!message.trade_no) return undefined;
  const id = `${message.trade_no}:${message.trade_status ?? ''}`;
  return message.refund_fee ? `${id}:${message.refund_fee}` : id;
}

/** Publishes one payment message under its seller's subject with its message id; resolves once the stream holds it. */
export function publishPayment(js: JetStreamClient, message: Readonly<Record<string, string>>): Promise<PubAck> {
  const msgID = paymentMessageId(message);
  return js.publish(paymentSubject(message), JSON.stringify(message), msgID === undefined ? {} : { msgID });
}

/**
 * Publishes payment messages with their message ids, many in flight at once. On an error the rest is
 * not sent and the call rejects; publishing everything again is safe, the broker drops the repeats.
 * For throughput, connect with `noAsyncTraces: true`: otherwise the client builds two Errors with
 * stack traces for every publish, which halves the rate.
 */
export async function publishPayments(nc: NatsConnection, messages: Record<string, string>[]): Promise<{ published: number; duplicates: number }> {
  const js = jetstream(nc);
  let next = 0;
  let failed = false;
  let published = 0;
  let duplicates = 0;
  // PUBLISH_WINDOW lanes each keep one publish in flight: a sliding window, not lock-step chunks.
  const lane = async (): Promise<void> => {
    while (!failed && next < messages.length) {
      const message = messages[next++]!;
      try {
        const ack = await publishPayment(js, message);
        if (ack.duplicate) duplicates++;
        else published++;
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PUBLISH_WINDOW, messages.length) }, lane));
  return { published, duplicates };
}

export interface PaymentBatchItem {
  readonly fields: Record<string, unknown> | null;
  readonly raw: Uint8Array;
  readonly seq: number;
}

/** A received message as the handler sees it; its stream sequence is read from the message only when asked (for a log line). */
class BatchItem implements PaymentBatchItem {
  constructor(
    readonly fields: Record<string, unknown> | null,
    private readonly msg: JsMsg,
  ) {}
  get raw(): Uint8Array {
    return this.msg.data;
  }
  get seq(): number {
    return this.msg.seq;
  }
}

interface Lane {
  queue: JsMsg[];
  /** when the oldest message in the queue arrived (or the last batch left) */
  oldestAt: number;
  wake: (() => void) | null;
}

/** The lane of a subject (payments.notify.<seller>): FNV-1a over its characters, so a seller always has the same one. */
function laneOf(subject: string, laneCount: number): number {
  if (laneCount === 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < subject.length; i++) hash = Math.imul(hash ^ subject.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % laneCount;
}

export interface ConsumePaymentsOptions {
  /** One URL or a comma-separated list (a cluster's nodes: the client fails over between them). */
  servers: string;
  /** Stream replicas when this consumer creates the stream (see ensurePaymentsStream). */
  replicas?: number;
  /** How long a delivered batch may go unacknowledged before JetStream gives it to another consumer. */
  ackWaitMs?: number;
  durable?: string;
  batchSize?: number;
  maxWaitMs?: number;
  /** Batches handled at once (2 by default); each seller's messages stay in one, in order. */
  lanes?: number;
  handle: (batch: PaymentBatchItem[]) => Promise<void>;
  log?: (msg: string, err?: unknown) => void;
}

export interface PaymentConsumer {
  stop(): Promise<void>;
  /** Settles when consuming has ended: resolves after stop(), rejects if it ended for another reason. */
  done: Promise<void>;
}

/**
 * Consumes the stream in batches: up to `batchSize` messages, or fewer once the oldest has waited
 * `maxWaitMs`. Each batch goes to `handle` once; all of it is acked when `handle` resolves, or nak'ed
 * with a growing delay when it throws, so JetStream redelivers it.
 */
export async function consumePayments(options: ConsumePaymentsOptions): Promise<PaymentConsumer> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  const durable = options.durable ?? DEFAULT_DURABLE;
  const laneCount = options.lanes ?? DEFAULT_LANES;
  if (!Number.isInteger(laneCount) || laneCount < 1 || laneCount > MAX_LANES) throw new RangeError(`lanes must be an integer from 1 to ${MAX_LANES}, got ${laneCount}`);
  const log = options.log ?? ((msg: string, err?: unknown) => console.error(msg, err ?? ''));

  // a cluster node that dies takes its clients with it: they reconnect to another node for as long as it takes
  const nc = await connect({ servers: options.servers.split(','), noAsyncTraces: true, maxReconnectAttempts: -1 });
  let stopping = false;
  // A seller's messages all go to one lane, in order; the lanes' batches overlap, so that one is
  // planned while another's statements run in the database.
  const lanes = Array.from({ length: laneCount }, (): Lane => ({ queue: [], oldestAt: 0, wake: null }));
  const nudge = (lane: Lane): void => {
    const resolve = lane.wake;
    lane.wake = null;
    resolve?.();
  };
  const nudgeAll = (): void => lanes.forEach(nudge);
  const sleep = (lane: Lane, ms?: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(() => nudge(lane), ms);
      lane.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  let consuming: ConsumerMessages;
  try {
    const jsm = await jetstreamManager(nc);
    await ensurePaymentsStream(jsm, { replicas: options.replicas });
    await ensureConsumer(jsm, durable, batchSize, laneCount, options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS);
    const consumer = await jetstream(nc).consumers.get(PAYMENTS_STREAM, durable);
    // The library keeps pulls outstanding as messages arrive; max_ack_pending (a batch a lane and one
    // more) is what holds delivery back while batches are being handled.
    consuming = await consumer.consume({
      max_messages: batchSize,
      callback: (msg) => {
        const lane = lanes[laneOf(msg.subject, laneCount)]!;
        if (lane.queue.push(msg) === 1) lane.oldestAt = Date.now();
        if (lane.queue.length === 1 || lane.queue.length >= batchSize) nudge(lane);
      },
    });
  } catch (err) {
    await nc.close();
    throw err;
  }
  // Consuming also ends when the connection closes or the consumer is deleted under us.
  let failure: Error | null = null;
  void consuming.closed().then((err) => {
    if (stopping) return;
    failure = err instanceof Error ? err : new Error('payment consumer ended unexpectedly');
    stopping = true;
    nudgeAll();
  });

  const handleBatch = async (batch: JsMsg[]): Promise<void> => {
    const items = batch.map((msg) => new BatchItem(jsonObject(msg.data), msg));
    try {
      await options.handle(items);
      for (const msg of batch) msg.ack();
    } catch (err) {
      log(`payment batch of ${batch.length} failed; JetStream will redeliver it`, err);
      for (const msg of batch) msg.nak(Math.min(NAK_DELAY_MS * 2 ** (msg.info.deliveryCount - 1), MAX_NAK_DELAY_MS));
    }
    // Acks are fire-and-forget publishes: a flush makes sure the server has them before we go on.
    await nc.flush();
  };

  const loop = async (lane: Lane): Promise<void> => {
    while (true) {
      if (lane.queue.length === 0) {
        if (stopping) return;
        await sleep(lane);
        continue;
      }
      const waited = Date.now() - lane.oldestAt;
      if (lane.queue.length < batchSize && waited < maxWaitMs && !stopping) {
        await sleep(lane, maxWaitMs - waited);
        continue;
      }
      const batch = lane.queue.splice(0, batchSize);
      // What is left arrived while the batch filled; it waits from now, not from its arrival.
      lane.oldestAt = Date.now();
      await handleBatch(batch);
    }
  };

  const done = (async () => {
    try {
      await Promise.all(lanes.map(loop));
    } finally {
      if (!nc.isClosed()) await nc.drain();
    }
    if (failure) throw failure;
  })();
  // stop() passes a failure on; a caller that never looks at done must not crash on its rejection.
  done.catch((err: unknown) => log('payment consumer ended', err));

  return {
    done,
    stop: async () => {
      if (!stopping) {
        stopping = true;
        // No new deliveries; what was already received is still handled and acked before the drain.
        consuming.stop();
        nudgeAll();
      }
      await done;
    },
  };
}

async function ensureConsumer(jsm: JetStreamManager, durable: string, batchSize: number, laneCount: number, ackWaitMs: number): Promise<void> {
  const limits = { ack_wait: nanos(ackWaitMs), max_ack_pending: (laneCount + 1) * batchSize };
  try {
    await jsm.consumers.add(PAYMENTS_STREAM, { durable_name: durable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ...limits });
  } catch (err) {
    // An existing durable with other limits (a different batch size) is updated in place.
    if (!(err instanceof JetStreamApiError)) throw err;
    await jsm.consumers.update(PAYMENTS_STREAM, durable, limits);
  }
}

function jsonObject(data: Uint8Array): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
