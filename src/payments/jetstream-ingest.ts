import type pg from 'pg';
import { MAX_INGEST_BATCH } from './ingest.ts';
import { ingestIsolated, reportParked } from './isolate.ts';
import { consumePayments, DEFAULT_LANES, type PaymentConsumer } from './jetstream.ts';
import { parseNotification, type PaymentNotification } from './notification.ts';

/** The database connections a consumer with the default lanes holds at once: one a lane. */
export const JETSTREAM_INGEST_CONNECTIONS = DEFAULT_LANES;

export interface JetStreamIngestOptions {
  servers: string;
  batchSize?: number;
  /** Batches applied at once (jetstream.ts); 2 by default. */
  lanes?: number;
  replicas?: number;
  ackWaitMs?: number;
  log: { info: (obj: object, msg: string) => void; warn: (obj: object, msg: string) => void; error: (obj: object, msg: string) => void };
}

/**
 * The scale path: each JetStream batch is applied in one transaction and acked after commit.
 * Malformed messages are logged and acked (redelivery would not fix them); a message that fails on
 * its own is parked for operators and acked; only a database outage naks the batch, and JetStream
 * redelivers it with backoff (no delivery limit: JetStream would drop what passed it).
 */
export function startJetStreamIngest(pool: pg.Pool, options: JetStreamIngestOptions): Promise<PaymentConsumer> {
  return consumePayments({
    servers: options.servers,
    replicas: options.replicas,
    ackWaitMs: options.ackWaitMs,
    batchSize: Math.min(options.batchSize ?? MAX_INGEST_BATCH, MAX_INGEST_BATCH),
    ...(options.lanes !== undefined && { lanes: options.lanes }),
    log: (msg, err) => options.log.error({ err }, msg),
    handle: async (batch) => {
      const started = performance.now();
      const good: PaymentNotification[] = [];
      for (const item of batch) {
        const parsed = item.fields ? parseNotification(item.fields) : { ok: false as const, field: 'message', code: 'malformed_message', message: 'not a JSON object' };
        if (parsed.ok) good.push(parsed.notification);
        else options.log.warn({ seq: item.seq, code: parsed.code, field: parsed.field }, `payment message refused: ${parsed.message}`);
      }
      const results = good.length ? await ingestIsolated(pool, good, 'jetstream') : [];
      const parked = results.filter((r) => r.status === 'parked');
      for (const r of parked) options.log.error({ tradeNo: r.tradeNo, reason: r.error }, 'payment message parked for operators');
      await reportParked(pool, options.log, results, 'jetstream');
      options.log.info({ messages: batch.length, applied: good.length - parked.length, parked: parked.length, ms: Math.round(performance.now() - started) }, 'payment batch applied');
    },
  });
}
