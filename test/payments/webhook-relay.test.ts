/**
 * The webhook relaying to JetStream (CAREPOINTS_NATS_URL): a signed notification is answered once the
 * payments stream holds it, the consumer applies it, a repeat has no second effect, a refused one is
 * never relayed, and a broker that does not answer makes the webhook say "retry" (503), never
 * "success". Real nats-server and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { startJetStreamIngest } from '../../src/payments/jetstream-ingest.ts';
import { PAYMENTS_STREAM, type PaymentConsumer } from '../../src/payments/jetstream.ts';
import { JetStreamRelay, relayedFields } from '../../src/payments/relay.ts';
import { merchantBalance } from '../../src/ledger/index.ts';
import { signRsa2 } from '../../src/shared/rsa2.ts';
import { createTestApp, PLATFORM_KEYS, TEST_PLATFORM_APP_ID, type TestApp } from '../support/app.ts';
import { enrolMerchants, enrolment, type TestMerchant } from '../support/fixtures.ts';
import { assertLedgerInvariants } from '../support/ledger-invariants.ts';
import { startNatsServer, type NatsServer } from '../support/nats.ts';
import { payerWallet } from '../support/payments.ts';

const NOW = new Date('2026-11-23T02:00:00Z');
let nats: NatsServer;
let relay: JetStreamRelay;
let consumer: PaymentConsumer;
let t: TestApp;
let m: TestMerchant;
/** Messages the consumer has applied so far, and who waits for a count. */
let applied = 0;
const waiters: { count: number; resolve: () => void }[] = [];

function appliedReaches(count: number): Promise<void> {
  if (applied >= count) return Promise.resolve();
  return new Promise((resolve) => waiters.push({ count, resolve }));
}

before(async () => {
  nats = await startNatsServer();
  relay = await JetStreamRelay.connect({ servers: nats.url, publishTimeoutMs: 1_000 });
  t = await createTestApp({ now: () => NOW, notificationSink: relay });
  m = (await enrolMerchants(t.db.pool, 1))[0]!;
  const log = {
    info: (o: object) => {
      applied += (o as { messages: number }).messages;
      for (const w of waiters.filter((x) => applied >= x.count)) w.resolve();
    },
    warn: () => {},
    error: (o: object, msg: string) => console.error(msg, o),
  };
  consumer = await startJetStreamIngest(t.db.pool, { servers: nats.url, batchSize: 64, log });
});
after(async () => {
  await consumer?.stop();
  await relay?.close();
  await t?.close();
  await nats?.stop();
});

function signed(tradeNo: string, payer: number, overrides: Record<string, string> = {}): string {
  const f = {
    notify_id: `n-${tradeNo}`,
    notify_time: '2026-11-20 10:00:05',
    app_id: TEST_PLATFORM_APP_ID,
    trade_no: tradeNo,
    buyer_id: payerWallet(payer),
    seller_id: enrolment(1).walletUserId,
    trade_status: 'TRADE_SUCCESS',
    total_amount: '12.50',
    gmt_payment: '2026-11-20 10:00:00',
    ...overrides,
  };
  return new URLSearchParams({ ...f, sign_type: 'RSA2', sign: signRsa2(f, PLATFORM_KEYS.privateKey) }).toString();
}

const notify = (body: string) => t.app.inject({ method: 'POST', url: '/v1/notify/payment', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: body });

async function streamMessages(): Promise<number> {
  const nc = await connect({ servers: nats.url });
  try {
    return (await (await jetstreamManager(nc)).streams.info(PAYMENTS_STREAM)).state.messages;
  } finally {
    await nc.close();
  }
}

test('a relayed notification is answered once the stream holds it, applied by the consumer, and a repeat has no second effect', async () => {
  const first = await notify(signed('R1', 1));
  assert.equal(first.statusCode, 200);
  assert.equal(first.body, 'success');
  // the platform sends it again (our answer was lost): answered success, dropped by the broker
  assert.equal((await notify(signed('R1', 1))).body, 'success');
  // a second payer after it, in the seller's order: once it is applied, the repeat was before it
  assert.equal((await notify(signed('R2', 2))).body, 'success');
  await appliedReaches(2);
  const balance = await merchantBalance(t.db.pool, m.id);
  assert.equal(balance!.pendingFen, 600, 'the first payer and the welcome credit once, the second payer once');
  assert.equal(await streamMessages(), 2);
  await assertLedgerInvariants(t.db.pool);
});

test('a notification refused by its signature or its fields is never relayed', async () => {
  const before = await streamMessages();
  const tampered = new URLSearchParams(signed('R3', 3));
  tampered.set('total_amount', '999.00');
  assert.equal((await notify(tampered.toString())).statusCode, 400);
  assert.equal((await notify(signed('R4', 4, { total_amount: '1.234' }))).json().error.code, 'invalid_amount');
  assert.equal(await streamMessages(), before);
});

test('the relayed message carries the platform\'s fields without the signature', () => {
  assert.deepEqual(relayedFields({ trade_no: 'T1', sign: 'xyz', sign_type: 'RSA2', total_amount: '1.00' }), { trade_no: 'T1', total_amount: '1.00' });
});

// last: it stops the broker
test('with the broker gone, the webhook answers 503 with a time to retry, never success', async () => {
  await consumer.stop();
  await nats.stop();
  const res = await notify(signed('R5', 5));
  assert.equal(res.statusCode, 503);
  assert.equal(res.json().error.code, 'ingest_unavailable');
  assert.equal(res.headers['retry-after'], '5');
  assert.notEqual(res.body, 'success');
});
