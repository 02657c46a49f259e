/**
 * A poison notification (one the database refuses however often it is tried) must not fail its
 * neighbours on any path, nor come back for ever: it is parked for operators and the rest applies.
 * The poison here is a trigger of the test's own database, standing for any bug or refused value.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connect } from '@nats-io/transport-node';
import { merchantBalance } from '../../src/ledger/index.ts';
import { IngestBatcher } from '../../src/payments/batcher.ts';
import { startJetStreamIngest } from '../../src/payments/jetstream-ingest.ts';
import { publishPayments } from '../../src/payments/jetstream.ts';
import { asOps, asPlatform, createTestApp, type TestApp } from '../support/app.ts';
import { enrolMerchants, enrolment } from '../support/fixtures.ts';
import { startNatsServer } from '../support/nats.ts';
import { notification, payerWallet } from '../support/payments.ts';

let t: TestApp;
before(async () => {
  t = await createTestApp();
  await enrolMerchants(t.db.pool, 3);
  await t.db.pool.query(`
    CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.trade_no LIKE 'POISON%' THEN RAISE EXCEPTION 'poisoned trade %', NEW.trade_no; END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER refuse_poison BEFORE INSERT ON payments FOR EACH ROW EXECUTE FUNCTION refuse_poison();`);
});
after(async () => t.close());

const seller = (m: number) => enrolment(m + 1).walletUserId;

function item(tradeNo: string, merchant: number, payer: number): Record<string, string> {
  return { trade_no: tradeNo, buyer_id: payerWallet(payer), seller_id: seller(merchant), trade_status: 'TRADE_SUCCESS', total_amount: '5.00', gmt_payment: '2026-11-20 10:00:00' };
}

async function parked(): Promise<{ tradeNo: string; source: string; times: number }[]> {
  const res = await t.app.inject({ url: '/v1/ops/parked-notifications?limit=200', headers: asOps });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().data;
}

async function pendingOf(merchant: number): Promise<number> {
  const { rows } = await t.db.pool.query<{ merchant_id: number }>('SELECT merchant_id::int FROM merchants WHERE wallet_user_id = $1', [seller(merchant)]);
  return (await merchantBalance(t.db.pool, rows[0]!.merchant_id))!.pendingFen;
}

test('batch API: two poison items among 40 are parked and reported; the other 38 apply', async () => {
  const batch = Array.from({ length: 40 }, (_, i) => item(i === 3 || i === 7 ? `POISON-B${i}` : `B-${i}`, 0, 100 + i));
  const res = await t.app.inject({ method: 'POST', url: '/v1/payments:batch', headers: asPlatform, payload: batch });
  assert.equal(res.statusCode, 200, res.body);
  const statuses = res.json().results.map((r: { status: string }) => r.status);
  assert.deepEqual(statuses.map((s: string, i: number) => [i, s]).filter(([, s]: [number, string]) => s !== 'applied'), [
    [3, 'parked'],
    [7, 'parked'],
  ]);
  assert.equal(res.json().results[7].error.code, 'parked');
  // 38 payers, but only the first ten a day earn (and only those are stored): 10 × 200 + the welcome 200
  assert.equal(await pendingOf(0), 2_200);
  assert.deepEqual(
    (await parked()).map((p) => [p.tradeNo, p.source, p.times]),
    [
      ['POISON-B7', 'batch', 1],
      ['POISON-B3', 'batch', 1],
    ],
  );
  // the same poison sent twice (to a merchant whose day is not full, so that it would earn)
  const twice = item('POISON-TWICE', 1, 999);
  for (const times of [1, 2]) {
    const again = await t.app.inject({ method: 'POST', url: '/v1/payments:batch', headers: asPlatform, payload: [twice] });
    assert.equal(again.json().results[0].status, 'parked');
    assert.equal((await parked()).find((p) => p.tradeNo === 'POISON-TWICE')!.times, times, 'a repeat counts on the same row');
  }
});

test('webhook group commit: a poison notification does not fail the requests that share its transaction', async () => {
  const batcher = new IngestBatcher(t.db.pool, { maxBatch: 50, maxWaitMs: 20, maxInFlight: 1, maxQueued: 1_000 });
  const notes = Array.from({ length: 12 }, (_, i) =>
    notification({ tradeNo: i === 5 ? 'POISON-W5' : `W-${i}`, sellerId: seller(1), buyerId: payerWallet(300 + i), gmtPayment: new Date('2026-11-20T02:00:00Z') }),
  );
  const results = await Promise.all(notes.map((n) => batcher.submit(n)));
  await batcher.drain();
  assert.deepEqual(
    results.map((r) => r.status),
    notes.map((_, i) => (i === 5 ? 'parked' : 'applied')),
  );
  assert.equal(await pendingOf(1), 2_200);
});

test('JetStream: a poison message is parked and acked, not redelivered for ever; its batch applies', async () => {
  const nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  const errors: string[] = [];
  const consumer = await startJetStreamIngest(t.db.pool, { servers: nats.url, batchSize: 50, log: { info: () => {}, warn: () => {}, error: (_o, msg) => void errors.push(msg) } });
  try {
    const messages = Array.from({ length: 15 }, (_, i) => item(i === 3 ? 'POISON-J3' : `J-${i}`, 2, 500 + i));
    await publishPayments(nc, messages);
    const deadline = Date.now() + 20_000;
    while ((await pendingOf(2)) < 2_200) {
      if (Date.now() > deadline) throw new Error('the good messages were not applied');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(await pendingOf(2), 2_200);
    const poison = (await parked()).find((p) => p.tradeNo === 'POISON-J3');
    assert.equal(poison?.source, 'jetstream');
    assert.equal(poison?.times, 1, 'parked once: acked, not redelivered');
    assert.ok(errors.includes('payment message parked for operators'));
  } finally {
    await consumer.stop();
    await nc.close();
    await nats.stop();
  }
});

test('webhook batcher: past its queue bound a notification is refused as busy, not held; those taken all apply', async () => {
  const batcher = new IngestBatcher(t.db.pool, { maxBatch: 1, maxWaitMs: 20, maxInFlight: 1, maxQueued: 2 });
  const notes = Array.from({ length: 10 }, (_, i) => notification({ tradeNo: `Q-${i}`, sellerId: seller(2), buyerId: payerWallet(700 + i), gmtPayment: new Date('2026-11-20T02:00:00Z') }));
  // one batch in flight, two waiting: the other seven are refused at once
  const outcomes = await Promise.allSettled(notes.map((n) => batcher.submit(n)));
  await batcher.drain();
  assert.deepEqual(
    outcomes.map((o) => (o.status === 'fulfilled' ? o.value.status : (o.reason as Error).name)),
    ['applied', 'applied', 'applied', ...Array.from({ length: 7 }, () => 'IngestBusyError')],
  );
});
