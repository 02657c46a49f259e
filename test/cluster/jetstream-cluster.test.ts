/**
 * Issue 12, part 1: a three-node NATS JetStream cluster on loopback, the PAYMENTS stream replicated
 * on all three (R3), and two `carepoints ingest` processes sharing its durable consumer. Mid-stream
 * the test SIGKILLs the node that leads the stream and one of the consumers; the publisher fails over
 * and publishes the rest, the other consumer takes over the dead one's unacknowledged batches. Every
 * notification must have had exactly one effect on the ledger.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { importEnrolments } from '../../src/merchants/store.ts';
import { ensurePaymentsStream, PAYMENTS_STREAM, publishPayments } from '../../src/payments/jetstream.ts';
import { AccrualModel, assertLedgerMatchesModel, parseAll, recentPayments } from '../support/accrual-model.ts';
import { CarepointsProcess, carepointsEnv } from '../support/carepoints-process.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { enrolment, TEST_ID_HASH_KEY } from '../support/fixtures.ts';
import { startNatsCluster, type NatsCluster } from '../support/nats.ts';

const MERCHANTS = 2_000;
const PAYMENTS = 24_000;
const BATCH = 500;
// the dead consumer's batches go to the other after this long (production keeps the default minute)
const ACK_WAIT_S = 4;
const DURABLE = 'payments-accrual';
const DRAIN_TIMEOUT_MS = 60_000;

let db: TestDatabase;
let cluster: NatsCluster;
let nc: NatsConnection;
let jsm: JetStreamManager;
const consumers: CarepointsProcess[] = [];
const wallets = Array.from({ length: MERCHANTS }, (_, i) => enrolment(i + 1).walletUserId);

before(async () => {
  db = await createTestDatabase();
  await importEnrolments(db.pool, wallets.map((_, i) => ({ line: i + 2, input: enrolment(i + 1) })), TEST_ID_HASH_KEY, { skipDuplicates: false });
  cluster = await startNatsCluster(3);
  // the publisher knows every node: it fails over when the one it talks to dies
  nc = await connect({ servers: cluster.urls.split(','), noAsyncTraces: true, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
  jsm = await jetstreamManager(nc);
  await ensurePaymentsStream(jsm, { replicas: 3 });
});

after(async () => {
  await Promise.all(consumers.map((c) => c.stop()));
  await nc?.close();
  await cluster?.stop();
  await db?.close();
});

function startConsumer(name: string): CarepointsProcess {
  const args = ['ingest', '--nats', cluster.urls, '--batch', String(BATCH), '--ack-wait', String(ACK_WAIT_S), '--replicas', '3'];
  const proc = CarepointsProcess.spawn(name, args, carepointsEnv(db.url, { LOG_LEVEL: 'info' }));
  consumers.push(proc);
  return proc;
}

/** Publishes until the broker has every message; a batch cut short by a dying node is sent again (its repeats are dropped by id). */
async function publishAll(messages: Record<string, string>[]): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      await publishPayments(nc, messages);
      return attempt;
    } catch (err) {
      if (attempt >= 20) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function earnedTrades(): Promise<number> {
  return (await db.pool.query<{ n: number }>('SELECT count(*)::int n FROM payments WHERE credit_fen + welcome_fen > 0')).rows[0]!.n;
}

async function leaderName(): Promise<string> {
  const info = await jsm.streams.info(PAYMENTS_STREAM);
  assert.equal(info.config.num_replicas, 3, 'the stream is replicated on the three nodes');
  return info.cluster!.leader!;
}

test('SIGKILL of the stream leader and of one of two consumers mid-stream: every notification has exactly one effect', { timeout: 150_000 }, async () => {
  const started = performance.now();
  // payments of at least 10 fen and no refunds: two consumers may apply a merchant's payers in any order
  const day = recentPayments({ merchantWallets: wallets, payments: PAYMENTS, payers: 40_000, seed: 7, orderIndependent: true, end: new Date(Date.now() - 60_000), spanMs: 40 * 3_600_000 });
  const model = new AccrualModel(new Set(wallets));
  model.apply(parseAll(day, new Date()));

  const [first, second] = [startConsumer('ingest-1'), startConsumer('ingest-2')];
  await Promise.all([first.waitFor(/consuming payment messages/), second.waitFor(/consuming payment messages/)]);

  const third = Math.floor(day.length / 3);
  await publishAll(day.slice(0, third));
  // the kills come while a consumer is working: that one dies, the other must take over its batches
  const busy = await Promise.race([first, second].map((c) => c.waitFor(/payment batch applied/).then(() => c)));
  const survivor = busy === first ? second : first;
  const leader = await leaderName();
  const victimNode = cluster.nodes[Number(leader.slice(1)) - 1]!;
  await Promise.all([victimNode.kill(), busy.kill()]);
  const earnedAtKill = await earnedTrades();

  const attempts = await publishAll(day.slice(third));
  const newLeader = await leaderName();
  assert.notEqual(newLeader, leader, 'another node leads the stream');

  // drained: nothing left to deliver, nothing delivered and unacknowledged, and the ledger caught up
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  const expectedEarned = model.earnedByTrade().size;
  let drained: Awaited<ReturnType<typeof jsm.consumers.info>>;
  for (;;) {
    const info = await jsm.consumers.info(PAYMENTS_STREAM, DURABLE).catch(() => null);
    if (info && info.num_pending === 0 && info.num_ack_pending === 0 && (await earnedTrades()) === expectedEarned) {
      drained = info;
      break;
    }
    if (Date.now() > deadline) throw new Error(`not drained within ${DRAIN_TIMEOUT_MS} ms: ${JSON.stringify({ pending: info?.num_pending, ackPending: info?.num_ack_pending, earned: await earnedTrades(), expectedEarned })}\n${survivor.tail}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(survivor.alive, `the surviving consumer is still running:\n${survivor.tail}`);
  const stream = await jsm.streams.info(PAYMENTS_STREAM);
  // the dangerous moment happened: deliveries beyond the stream's messages are the killed consumer's
  // unacknowledged work (and whatever the leader's failover interrupted), delivered again
  const redelivered = drained.delivered.consumer_seq - stream.state.messages;
  assert.ok(redelivered > 0, `the kill caught no unacknowledged work: ${drained.delivered.consumer_seq} deliveries of ${stream.state.messages} messages`);

  await assertLedgerMatchesModel(db.pool, model, { perTrade: false });
  console.log(
    `jetstream cluster: ${day.length} notifications (${stream.state.messages} kept by the broker after de-duplication), leader ${leader} killed (${newLeader} took over), ` +
      `${busy.name} killed (${survivor.name} survived) with ${earnedAtKill} of ${expectedEarned} earning trades applied; publish attempts after the kill ${attempts}; ${redelivered} messages delivered again; ` +
      `${((performance.now() - started) / 1000).toFixed(0)} s; ledger = rules, 0 lost, 0 doubled`,
  );
  assert.equal(await survivor.stop(), 0, 'the surviving consumer stops cleanly on SIGTERM');
});
