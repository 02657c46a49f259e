import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { signInApi, TestClock } from '../auth/support.ts';
import { MAX_STREAMS_PER_PRINCIPAL } from '../../src/auth/event-streams.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { enrolment, enrolMerchants } from '../support/fixtures.ts';

// issue 21 Low 8: event streams are bounded per session and end when their session does
const clock = new TestClock();
let t: TestApp;
let origin: string;
before(async () => {
  // a short heartbeat so that the sign-out is noticed soon; the test awaits the stream's end, not a time
  t = await createTestApp({ now: clock.now, eventStreams: { heartbeatSeconds: 0.2 } });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  origin = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});
after(async () => t.close());

/** Reads a stream's body until the server ends it. */
async function untilEnded(body: ReadableStream<Uint8Array>): Promise<void> {
  const reader = body.getReader();
  while (!(await reader.read()).done);
}

test('a session holds at most 5 event streams (the 6th answers 429 too_many_streams), and its streams end when it signs out', { timeout: 60_000 }, async () => {
  const [merchant] = await enrolMerchants(t.db.pool, 1, 81);
  const session = await signInApi(t, clock, enrolment(81).phone);
  const asMerchant = { authorization: `Bearer ${session.token}` };
  const url = `${origin}/v1/merchants/${merchant!.id}/notifications/events`;
  const aborts = new AbortController();
  after(() => aborts.abort());

  const open = [];
  for (let i = 0; i < MAX_STREAMS_PER_PRINCIPAL; i++) {
    const res = await fetch(url, { headers: asMerchant, signal: aborts.signal });
    assert.equal(res.status, 200, `stream ${i + 1}`);
    open.push(res);
  }
  const sixth = await fetch(url, { headers: asMerchant, signal: aborts.signal });
  assert.equal(sixth.status, 429);
  assert.equal(sixth.headers.get('retry-after'), '30');
  assert.equal(((await sixth.json()) as { error: { code: string } }).error.code, 'too_many_streams');

  // another session of the same merchant has its own streams
  const other = await signInApi(t, clock, enrolment(81).phone);
  const elsewhere = await fetch(url, { headers: { authorization: `Bearer ${other.token}` }, signal: aborts.signal });
  assert.equal(elsewhere.status, 200);

  const ends = open.map((res) => untilEnded(res.body!));
  const signOut = await t.app.inject({ method: 'DELETE', url: '/v1/auth/session', headers: asMerchant });
  assert.equal(signOut.statusCode, 204, signOut.body);
  await Promise.all(ends);

  // the other session's stream goes on
  const reader = elsewhere.body!.getReader();
  assert.equal((await reader.read()).done, false);
  await reader.cancel();
});
