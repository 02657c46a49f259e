import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { recordAudit } from '../../src/auth/index.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { enrolMerchants } from '../support/fixtures.ts';
import { freshAddress, phoneOf, requestCode, sentCode, signInApi, TestClock } from './support.ts';

const clock = new TestClock();
let t: TestApp;
before(async () => {
  t = await createTestApp({ now: clock.now });
  await enrolMerchants(t.db.pool, 1, 1);
});
after(async () => t.close());

interface AuditRow {
  audit_id: number;
  at: Date;
  actor_kind: string;
  actor_id: string | null;
  action: string;
  subject_kind: string | null;
  subject_id: string | null;
  details: Record<string, unknown>;
}

async function auditRows(action: string): Promise<AuditRow[]> {
  return (await t.db.pool.query<AuditRow>('SELECT * FROM audit_log WHERE action = $1 ORDER BY audit_id', [action])).rows;
}

test('sign-in, sign-out and failed codes are in the audit log, at the app clock, without the phone or any secret', async () => {
  const address = freshAddress();
  clock.advance(61_000);
  await requestCode(t, phoneOf(1), address);
  const wrong = (await sentCode(t, phoneOf(1))) === '000000' ? '000001' : '000000';
  const failed = await t.app.inject({ method: 'POST', url: '/v1/auth/sessions', payload: { phone: phoneOf(1), code: wrong, client: 'api' }, remoteAddress: address });
  assert.equal(failed.statusCode, 401);
  const [row] = await auditRows('auth.sign_in_failed');
  assert.ok(row);
  assert.equal(row.actor_kind, 'anonymous');
  assert.equal(row.actor_id, address);
  assert.equal(row.subject_kind, 'merchant');
  assert.equal(row.details.reason, 'wrong');
  assert.equal(row.details.attemptsLeft, 4);
  assert.equal(row.at.toISOString(), clock.now().toISOString());
  await t.app.inject({ method: 'POST', url: '/v1/auth/sessions', payload: { phone: '13912345678', code: '000000', client: 'api' }, remoteAddress: address });
  const stranger = (await auditRows('auth.sign_in_failed')).at(-1)!;
  assert.deepEqual([stranger.subject_kind, stranger.subject_id, stranger.details.reason], ['phone', '139****5678', 'missing']);

  const session = await signInApi(t, clock, phoneOf(1));
  const signIn = (await auditRows('auth.sign_in')).at(-1)!;
  assert.equal(signIn.actor_kind, 'merchant');
  assert.equal(signIn.actor_id, session.merchantId);
  assert.equal(signIn.subject_kind, 'session');
  assert.equal(signIn.details.client, 'api');
  await t.app.inject({ method: 'DELETE', url: '/v1/auth/session', headers: { authorization: `Bearer ${session.token}` } });
  const signOut = (await auditRows('auth.sign_out')).at(-1)!;
  assert.deepEqual([signOut.actor_id, signOut.subject_kind, signOut.subject_id], [session.merchantId, 'session', signIn.subject_id]);

  const all = JSON.stringify((await t.db.pool.query('SELECT * FROM audit_log')).rows);
  assert.ok(!all.includes(phoneOf(1)), 'no phone number');
  assert.ok(!all.includes(session.token), 'no token');
});

test('the audit log is append-only: UPDATE, DELETE and TRUNCATE are refused by the database', async () => {
  const { auditId } = await recordAudit(t.db.pool, { actorKind: 'system', actorId: 'test', action: 'test.append', subjectKind: 'claim', subjectId: 'c-1', details: { note: 'a\u0000b' } });
  const attempts = [
    ['UPDATE audit_log SET action = $1 WHERE audit_id = $2', ['test.changed', auditId]],
    ['UPDATE audit_log SET details = $1::jsonb', ['{}']],
    ['DELETE FROM audit_log WHERE audit_id = $1', [auditId]],
    ['DELETE FROM audit_log', []],
    ['TRUNCATE audit_log', []],
  ] as const;
  for (const [sql, params] of attempts) {
    await assert.rejects(t.db.pool.query(sql, [...params]), (err: Error & { code?: string }) => {
      assert.equal(err.code, '42501');
      assert.match(err.message, /audit_log is append-only/);
      return true;
    }, sql);
  }
  const { rows } = await t.db.pool.query<AuditRow>('SELECT * FROM audit_log WHERE audit_id = $1', [auditId]);
  assert.equal(rows[0]!.action, 'test.append');
  assert.equal(rows[0]!.details.note, 'a\ufffdb', 'a NUL in details is stored as U+FFFD (jsonb refuses NUL)');
});

test('the database refuses malformed audit rows', async () => {
  const bad = [
    { actorKind: 'robot' as never, actorId: 'x', action: 'test.x' },
    { actorKind: 'system' as const, actorId: 'x', action: 'NoDots' },
    { actorKind: 'system' as const, actorId: 'x', action: 'test.x', subjectKind: 'claim' },
    { actorKind: 'system' as const, actorId: '', action: 'test.x' },
  ];
  for (const entry of bad) await assert.rejects(recordAudit(t.db.pool, entry), (err: Error & { code?: string }) => err.code === '23514', JSON.stringify(entry));
});
