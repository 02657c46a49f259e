import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import { consumePayments, ensurePaymentsStream, PAYMENTS_STREAM, PAYMENTS_SUBJECT, publishPayments, type PaymentBatchItem } from '../../src/payments/jetstream.ts';
import { startNatsServer, type NatsServer } from '../support/nats.ts';

let server: NatsServer;
let nc: NatsConnection;
let jsm: JetStreamManager;

before(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
  jsm = await jetstreamManager(nc);
  await ensurePaymentsStream(jsm);
});

after(async () => {
  await nc?.close();
  await server?.stop();
});

// Each test reads the stream from the start with its own durable, so it starts from an empty stream;
// a purge keeps the broker's memory of message ids, so each test also has its own trade numbers.
let testNo = 0;
beforeEach(async () => {
  testNo++;
  await jsm.streams.purge(PAYMENTS_STREAM);
});

function payment(i: number, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    notify_id: `N${i}`,
    trade_no: `20261124220014${String(testNo).padStart(2, '0')}${String(i).padStart(8, '0')}`,
    buyer_id: '2088000000000002',
    seller_id: `20880000000${String(i % 7).padStart(5, '0')}`,
    trade_status: 'TRADE_SUCCESS',
    total_amount: '12.34',
    gmt_payment: '2026-11-24 10:00:00',
    ...overrides,
  };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('ensurePaymentsStream is idempotent and applies a new duplicate window', async () => {
  await ensurePaymentsStream(jsm);
  await ensurePaymentsStream(jsm, { duplicateWindowMs: 30_000 });
  const info = await jsm.streams.info(PAYMENTS_STREAM);
  assert.equal(info.config.duplicate_window, nanos(30_000));
  assert.deepEqual(info.config.subjects, [`${PAYMENTS_SUBJECT}.>`]);
  await ensurePaymentsStream(jsm);
  assert.equal((await jsm.streams.info(PAYMENTS_STREAM)).config.duplicate_window, nanos(120_000));
});

test('a message published twice with the same id arrives once; a status change or a refund is a new message', async () => {
  const messages = [payment(1), payment(2), payment(2, { trade_status: 'TRADE_FINISHED' }), payment(3, { trade_status: 'TRADE_CLOSED' })];
  const refund = payment(1, { refund_fee: '2.00', gmt_refund: '2026-11-24 11:00:00' });
  assert.deepEqual(await publishPayments(nc, [...messages, refund]), { published: 5, duplicates: 0 });
  assert.deepEqual(await publishPayments(nc, [...messages, refund, messages[0]!]), { published: 0, duplicates: 6 });

  const seen: string[] = [];
  const consumer = await consumePayments({
    servers: server.url,
    durable: 'dedupe',
    handle: async (batch) => {
      for (const item of batch) seen.push(`${String(item.fields?.trade_no)}:${String(item.fields?.trade_status)}:${String(item.fields?.refund_fee)}`);
    },
  });
  await waitFor(() => seen.length >= 5, 'five messages');
  // a message published after all of them arrives after all of them: a duplicate would have come first
  const last = `${payment(99).trade_no}:`;
  await publishPayments(nc, [payment(99)]);
  await waitFor(() => seen.some((s) => s.startsWith(last)), 'the message published last');
  await consumer.stop();
  const paymentsSeen = seen.filter((s) => !s.startsWith(last));
  assert.equal(paymentsSeen.length, 5, seen.join(' '));
  assert.equal(new Set(paymentsSeen).size, 5);
});

test('a batch whose handler throws is redelivered and nothing is lost', async () => {
  const messages = Array.from({ length: 50 }, (_, i) => payment(i));
  await publishPayments(nc, messages);
  const handled = new Set<string>();
  const failed: number[] = [];
  const logged: string[] = [];
  let calls = 0;
  const consumer = await consumePayments({
    servers: server.url,
    durable: 'redeliver',
    handle: async (batch) => {
      calls++;
      if (calls === 1) {
        failed.push(...batch.map((item) => item.seq));
        throw new Error('database unavailable');
      }
      for (const item of batch) handled.add(String(item.fields?.trade_no));
    },
    log: (msg) => logged.push(msg),
  });
  await waitFor(() => handled.size === messages.length, 'every message handled');
  await consumer.stop();
  assert.ok(failed.length > 0);
  assert.deepEqual([...handled].sort(), messages.map((m) => m.trade_no).sort());
  assert.equal(logged.length, 1);
  assert.match(logged[0]!, /redeliver/);
  const info = await jsm.consumers.info(PAYMENTS_STREAM, 'redeliver');
  assert.equal(info.num_ack_pending, 0);
  assert.equal(info.num_pending, 0);
});

test('a message that is not a JSON object reaches the handler as fields: null and is acked', async () => {
  const js = jetstream(nc);
  const bodies = ['not json', '[1,2]', '"text"', 'null'];
  for (const body of bodies) await js.publish(`${PAYMENTS_SUBJECT}._`, body);
  await publishPayments(nc, [payment(1)]);
  const items: PaymentBatchItem[] = [];
  const consumer = await consumePayments({ servers: server.url, durable: 'malformed', handle: async (batch) => void items.push(...batch) });
  await waitFor(() => items.length === 5, 'five messages');
  await consumer.stop();
  assert.deepEqual(
    items.map((item) => [item.fields === null, Buffer.from(item.raw).toString()]),
    [...bodies.map((body) => [true, body]), [false, JSON.stringify(payment(1))]],
  );
  assert.deepEqual(
    items.map((item) => item.seq),
    [1, 2, 3, 4, 5].map((n) => n + items[0]!.seq - 1),
  );
  const info = await jsm.consumers.info(PAYMENTS_STREAM, 'malformed');
  assert.equal(info.num_ack_pending, 0);
  assert.equal(info.ack_floor.stream_seq, items.at(-1)!.seq);
});

test('batches hold at most batchSize messages and a partial batch waits no longer than maxWaitMs', async () => {
  const messages = Array.from({ length: 1_000 }, (_, i) => payment(i));
  await publishPayments(nc, messages);
  const sizes: number[] = [];
  const consumer = await consumePayments({ servers: server.url, durable: 'sizes', batchSize: 64, maxWaitMs: 100, handle: async (batch) => void sizes.push(batch.length) });
  await waitFor(() => sizes.reduce((a, b) => a + b, 0) === messages.length, 'every message');
  assert.ok(Math.max(...sizes) <= 64, `batch sizes ${sizes.join(',')}`);
  assert.ok(sizes.includes(64));

  // A lone message waits for company for maxWaitMs (a lower bound: no load makes it shorter), then is
  // handed over rather than held until the batch fills or a pull request expires (30 s by default);
  // the upper bound is thirty times maxWaitMs, for a loaded machine.
  const started = Date.now();
  await publishPayments(nc, [payment(5_000)]);
  await waitFor(() => sizes.length > 0 && sizes.reduce((a, b) => a + b, 0) === messages.length + 1, 'the lone message', 20_000);
  const latency = Date.now() - started;
  await consumer.stop();
  assert.ok(latency >= 100 && latency < 3_000, `lone message took ${latency} ms`);
});

test('stop() ends the loop: done resolves and later messages are not handled', async () => {
  let handled = 0;
  const consumer = await consumePayments({ servers: server.url, durable: 'stopping', handle: async (batch) => void (handled += batch.length) });
  await publishPayments(nc, [payment(1)]);
  await waitFor(() => handled === 1, 'the first message');
  await consumer.stop();
  await consumer.done;
  await publishPayments(nc, [payment(2)]);
  // the server holds the later message for the durable (publish is acknowledged once stored); nobody takes it
  assert.equal((await jsm.consumers.info(PAYMENTS_STREAM, 'stopping')).num_pending, 1);
  assert.equal(handled, 1);
});

test('with lanes, batches are handled at once, and each seller\'s messages still arrive in their order, once', async () => {
  const messages = Array.from({ length: 700 }, (_, i) => payment(i));
  await publishPayments(nc, messages);
  const seen: string[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  let release: (() => void) | null = null;
  const overlapped = new Promise<void>((resolve) => (release = resolve));
  const consumer = await consumePayments({
    servers: server.url,
    durable: 'lanes',
    batchSize: 50,
    maxWaitMs: 20,
    lanes: 2,
    handle: async (batch) => {
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      // the first batch of each lane waits until the other lane's has started: the two overlap
      if (mostInFlight >= 2) release?.();
      else await Promise.race([overlapped, new Promise((r) => setTimeout(r, 5_000))]);
      for (const item of batch) seen.push(String(item.fields!.trade_no));
      inFlight--;
    },
  });
  await waitFor(() => seen.length === messages.length, 'every message', 20_000);
  await consumer.stop();
  assert.equal(mostInFlight, 2, 'two batches were handled at once');
  assert.equal(new Set(seen).size, messages.length);
  for (let seller = 0; seller < 7; seller++) {
    const expected = messages.filter((_, i) => i % 7 === seller).map((m) => m.trade_no);
    assert.deepEqual(seen.filter((t) => expected.includes(t)), expected, `seller ${seller}'s order`);
  }
});
