import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { periodicRound } from '../../src/cli/periodic.ts';
import { DEFAULT_REMINDER_LEAD_TIMES } from '../../src/config/config.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

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
