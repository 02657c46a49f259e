/**
 * Parking is never silent (issue 21, Low 13): a database that refuses every item of a batch parked
 * every notification while the API answered 200 and nothing was logged or counted. Parked items are
 * counted on /metrics, logged at warn, and past a threshold an hour raised as an operator alert.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { PARKED_ALERT_PER_HOUR } from '../../src/payments/isolate.ts';
import { asOps, asPlatform, createTestApp, type TestApp } from '../support/app.ts';
import { enrolMerchants, enrolment } from '../support/fixtures.ts';
import { payerWallet, SAMPLE_NOTIFICATION } from '../support/payments.ts';

const lines: { level: number; msg: string }[] = [];
let t: TestApp;
before(async () => {
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(JSON.parse(chunk.toString())), done()) });
  t = await createTestApp({ logger: pino({ level: 'warn' }, sink) });
  await enrolMerchants(t.db.pool, 1, 6001);
  // every payment refused, as the distributed database refused them
  await t.db.pool.query(`
    CREATE FUNCTION refuse_all() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the database'; END $$;
    CREATE TRIGGER refuse_all BEFORE INSERT ON payments FOR EACH ROW EXECUTE FUNCTION refuse_all();`);
});
after(async () => t.close());

const item = (i: number) => ({ ...SAMPLE_NOTIFICATION, notify_id: `parked-${i}`, trade_no: `PARKED-${i}`, seller_id: enrolment(6001).walletUserId, buyer_id: payerWallet(6000 + i) });

test(`a batch the database refuses whole: counted on /metrics, logged at warn, an operator alert past ${PARKED_ALERT_PER_HOUR} an hour`, async () => {
  const answer = await t.app.inject({ method: 'POST', url: '/v1/payments:batch', headers: asPlatform, payload: Array.from({ length: PARKED_ALERT_PER_HOUR }, (_, i) => item(i)) });
  assert.equal(answer.statusCode, 200, answer.body);
  assert.ok(answer.json().results.every((r: { status: string }) => r.status === 'parked'));
  const metrics = await t.app.inject({ url: '/metrics', headers: asOps });
  assert.match(metrics.body, new RegExp(`carepoints_parked_notifications\\{window="1h"\\} ${PARKED_ALERT_PER_HOUR}`));
  assert.ok(lines.some((l) => l.level === 40 && /parked for operators/.test(l.msg)), 'logged at warn');
  assert.ok(lines.some((l) => l.level === 50 && /^operator alert/.test(l.msg)), 'an operator alert at error');
});
