import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connect } from '@nats-io/transport-node';
import { merchantBalance } from '../../src/ledger/index.ts';
import { startJetStreamIngest } from '../../src/payments/jetstream-ingest.ts';
import { publishPayments } from '../../src/payments/jetstream.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { enrolMerchants, enrolment, type TestMerchant } from '../support/fixtures.ts';
import { startNatsServer, type NatsServer } from '../support/nats.ts';
import { payerWallet } from '../support/payments.ts';

let db: TestDatabase;
let nats: NatsServer;
let merchants: TestMerchant[];
const warnings: string[] = [];
const log = { info: () => {}, warn: (_o: object, msg: string) => void warnings.push(msg), error: () => {} };

before(async () => {
  db = await createTestDatabase();
  nats = await startNatsServer();
  merchants = await enrolMerchants(db.pool, 3);
});
after(async () => {
  await nats.stop();
  await db.close();
});

function message(tradeNo: string, merchant: number, payer: number): Record<string, string> {
  return {
    trade_no: tradeNo,
    buyer_id: payerWallet(payer),
    seller_id: enrolment(merchant + 1).walletUserId,
    trade_status: 'TRADE_SUCCESS',
    total_amount: '5.00',
    gmt_payment: '2026-11-20 10:00:00',
  };
}

async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('payments published to JetStream are applied once, in batches, and malformed ones are logged', async () => {
  const nc = await connect({ servers: nats.url });
  const consumer = await startJetStreamIngest(db.pool, { servers: nats.url, batchSize: 50, log });
  try {
    const messages = merchants.flatMap((_, m) => Array.from({ length: 12 }, (_, p) => message(`J-${m}-${p}`, m, p)));
    const first = await publishPayments(nc, messages);
    const again = await publishPayments(nc, messages.slice(0, 10));
    assert.equal(first.published, 36);
    assert.equal(again.duplicates, 10, 'the broker drops repeats by message id');
    const js = (await import('@nats-io/jetstream')).jetstream(nc);
    await js.publish('payments.notify.garbage', 'not json');
    // twelve payers a merchant, ten of them earn (the other two are not even stored)
    await until(async () => (await db.pool.query("SELECT count(*)::int n FROM payments WHERE trade_no LIKE 'J-%'")).rows[0].n === 30);
    for (const m of merchants) assert.equal((await merchantBalance(db.pool, m.id))!.pendingFen, 10 * 200 + 200);
    await until(async () => warnings.some((w) => w.includes('not a JSON object')));
  } finally {
    await consumer.stop();
    await nc.close();
  }
});
