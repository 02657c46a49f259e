import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { periodicRound } from '../../src/cli/periodic.ts';
import { DEFAULT_REMINDER_LEAD_TIMES } from '../../src/config/config.ts';
import { ingestPayments } from '../../src/payments/ingest.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { enrolMerchants } from '../support/fixtures.ts';
import { notification, payerWallet } from '../support/payments.ts';

const OPTIONS = { historyRetentionDays: 400, reminderLeadTimes: DEFAULT_REMINDER_LEAD_TIMES };
let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
});
after(async () => db.close());

test('periodic work: one process at a time does a round; the others skip theirs', async () => {
  const lines: string[] = [];
  const log = (_level: string, _fields: object, message: string) => void lines.push(message);
  const at = new Date('2026-11-20T02:00:00Z');
  // a key two days old at the rounds' clock
  await db.pool.query(
    "INSERT INTO idempotency_keys (scope, idempotency_key, request_hash, response_status, response_body, created_at) VALUES ('s', 'k', repeat('a', 64), 201, '{}', $1::timestamptz - interval '2 days')",
    [at],
  );
  // five processes' ticks at once (here: five concurrent rounds on one pool): one round an interval
  const rounds = await Promise.all(Array.from({ length: 5 }, () => periodicRound(db.pool, log, OPTIONS, at)));
  assert.equal(rounds.filter(Boolean).length, 1);
  assert.equal(await periodicRound(db.pool, log, OPTIONS, new Date(at.getTime() + 5_000)), false, 'half an interval later: still that round');
  assert.equal(lines.filter((l) => l === 'idempotency keys forgotten').length, 1, 'the old key was pruned once');
  const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM idempotency_keys');
  assert.equal(rows[0].n, 0);

  // while another session holds the lock, a round is skipped
  const holder = await db.pool.connect();
  try {
    await holder.query('SELECT pg_advisory_lock(7301226000001)');
    assert.equal(await periodicRound(db.pool, log, OPTIONS, new Date(at.getTime() + 15_000)), false);
  } finally {
    await holder.query('SELECT pg_advisory_unlock(7301226000001)');
    holder.release();
  }
  assert.equal(await periodicRound(db.pool, log, OPTIONS, new Date(at.getTime() + 20_000)), true);
});

test('the rounds settle the last business day\'s signals and remind merchants before credit lapses', async () => {
  const merchants = await enrolMerchants(db.pool, 7);
  // one payer pays seven merchants on 20 November from 10:00 (Shanghai), a minute apart; the
  // notifications arrive newest first, so ingestion flags the first two as fan-out, not the last two
  const paid = merchants.map((m, k) => notification({ tradeNo: `PR-${k}`, buyerId: payerWallet(7), sellerId: m.walletUserId, gmtPayment: new Date(Date.UTC(2026, 10, 20, 2, k)) }));
  for (const n of [...paid].reverse()) await ingestPayments(db.pool, [n]);
  const fanOut = async () => (await db.pool.query<{ trade_no: string }>("SELECT trade_no FROM payments WHERE 'payer_fan_out' = ANY(signals) ORDER BY trade_no")).rows.map((r) => r.trade_no);
  assert.deepEqual(await fanOut(), ['PR-0', 'PR-1']);

  const lines: string[] = [];
  const log = (_level: string, fields: object, message: string) => void lines.push(`${message} ${JSON.stringify(fields)}`);
  // 21 November, 12:00 in Shanghai: the 20th is over
  assert.equal(await periodicRound(db.pool, log, OPTIONS, new Date('2026-11-21T04:00:00Z')), true);
  assert.deepEqual(await fanOut(), ['PR-5', 'PR-6'], 'decided on the payments own order');
  assert.ok(lines.includes('farming signals settled {"count":4}'), lines.join('\n'));
  assert.ok(!lines.some((l) => l.startsWith('credit reminders sent')), 'no credit lapses within 6 hours yet');

  // 22 November, 05:00: the first credit lapses at 10:00, the last at 10:06
  assert.equal(await periodicRound(db.pool, log, OPTIONS, new Date('2026-11-21T21:00:00Z')), true);
  assert.ok(lines.includes('credit reminders sent {"count":7}'), lines.join('\n'));
});
