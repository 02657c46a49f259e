import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { assertError, signInApi, TestClock } from '../auth/support.ts';
import { noticeExpiringCredit } from '../../src/notifications/index.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { earnAndCollect } from '../support/credit.ts';
import { enrolment, enrolMerchants } from '../support/fixtures.ts';

const DAY_MS = 86_400_000;
const clock = new TestClock();
let t: TestApp;
let origin: string;
before(async () => {
  t = await createTestApp({ now: clock.now });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  origin = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});
after(async () => t.close());

/** Reads a Server-Sent Events response until `count` events named `notification` arrived. */
async function nextEvents(body: ReadableStream<Uint8Array>, count: number): Promise<{ id: string; data: { id: string; kind: string; en: string } }[]> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  const events: { id: string; data: { id: string; kind: string; en: string } }[] = [];
  let buffer = '';
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    const blocks = buffer.split('\n\n');
    buffer = blocks.pop()!;
    for (const block of blocks) {
      const fields = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
      if (fields.event === 'notification') events.push({ id: fields.id!, data: JSON.parse(fields.data!) });
    }
  }
  return events;
}

test('credit about to expire is noticed once per merchant and expiry, listed, marked read, and streamed live', async () => {
  const [a, b] = await enrolMerchants(t.db.pool, 2, 21);
  const collectedAt = new Date(clock.now().getTime() - 2 * DAY_MS);
  await earnAndCollect(t.db.pool, { id: a!.id, walletUserId: enrolment(21).walletUserId }, 2, collectedAt); // 600 fen, 6 months
  const session = await signInApi(t, clock, enrolment(21).phone);
  const asMerchant = { authorization: `Bearer ${session.token}` };

  const first = new AbortController();
  const stream = await fetch(`${origin}/v1/merchants/${a!.id}/notifications/events`, { headers: asMerchant, signal: first.signal });
  assert.equal(stream.status, 200);
  assert.match(stream.headers.get('content-type') ?? '', /text\/event-stream/);
  const { rows } = await t.db.pool.query<{ expires_at: Date }>("SELECT DISTINCT expires_at FROM credit_lots WHERE merchant_id = $1 AND state = 'available'", [a!.id]);
  const expiresAt = rows[0]!.expires_at;

  assert.equal(await noticeExpiringCredit(t.db.pool, new Date(expiresAt.getTime() - 31 * DAY_MS)), 0, 'not yet within 30 days');
  const live = nextEvents(stream.body!, 1);
  assert.equal(await noticeExpiringCredit(t.db.pool, new Date(expiresAt.getTime() - 29 * DAY_MS)), 1);
  assert.equal(await noticeExpiringCredit(t.db.pool, new Date(expiresAt.getTime() - 28 * DAY_MS)), 0, 'noticed once');
  const [event] = await live;
  assert.equal(event!.data.kind, 'credit_expiring');
  assert.match(event!.data.en, /^¥6\.00 of your credit expires after \d{4}-\d{2}-\d{2}/);
  assert.equal(event!.id, event!.data.id);
  first.abort();

  const list = await t.app.inject({ method: 'GET', url: `/v1/merchants/${a!.id}/notifications`, headers: asMerchant });
  assert.equal(list.statusCode, 200, list.body);
  assert.equal(list.json().unread, 1);
  assert.deepEqual(list.json().data.map((n: { id: string; amountFen: number }) => [n.id, n.amountFen]), [[event!.id, 600]]);

  // a reconnect with Last-Event-ID gets what it missed first
  await t.db.pool.query("INSERT INTO merchant_notifications (merchant_id, kind, zh, en) VALUES ($1, 'claim_paid', '已到账', 'Paid'), ($1, 'claim_paid', '已到账', 'Paid again')", [a!.id]);
  const second = new AbortController();
  const again = await fetch(`${origin}/v1/merchants/${a!.id}/notifications/events`, { headers: { ...asMerchant, 'last-event-id': event!.id }, signal: second.signal });
  const missed = await nextEvents(again.body!, 2);
  assert.deepEqual(missed.map((e) => e.data.en), ['Paid', 'Paid again']);
  second.abort();

  const page = await t.app.inject({ method: 'GET', url: `/v1/merchants/${a!.id}/notifications?limit=2`, headers: asMerchant });
  assert.deepEqual([page.json().data.length, page.json().hasMore, page.json().unread], [2, true, 3]);
  const rest = await t.app.inject({ method: 'GET', url: `/v1/merchants/${a!.id}/notifications?limit=2&cursor=${page.json().nextCursor}`, headers: asMerchant });
  assert.deepEqual(rest.json().data.map((n: { id: string }) => n.id), [event!.id]);

  const read = await t.app.inject({ method: 'POST', url: `/v1/merchants/${a!.id}/notifications:read`, headers: asMerchant, payload: { upToId: page.json().data[1].id } });
  assert.equal(read.statusCode, 200, read.body);
  assert.deepEqual([read.json().marked, read.json().unread], [2, 1]);
  const unread = await t.app.inject({ method: 'GET', url: `/v1/merchants/${a!.id}/notifications?unreadOnly=true`, headers: asMerchant });
  assert.deepEqual(unread.json().data.map((n: { en: string }) => n.en), ['Paid again']);

  for (const url of [`/v1/merchants/${b!.id}/notifications`, `/v1/merchants/${b!.id}/notifications/events`]) {
    assertError(await t.app.inject({ method: 'GET', url, headers: asMerchant }), 404, 'merchant_not_found', 'id');
  }
  assertError(await t.app.inject({ method: 'POST', url: `/v1/merchants/${b!.id}/notifications:read`, headers: asMerchant, payload: { upToId: '1' } }), 404, 'merchant_not_found');
  assertError(await t.app.inject({ method: 'POST', url: `/v1/merchants/${a!.id}/notifications:read`, headers: asMerchant, payload: { upToId: '99999999' } }), 404, 'notification_not_found', 'upToId');
  assertError(await t.app.inject({ method: 'POST', url: `/v1/merchants/${a!.id}/notifications:read`, headers: asMerchant, payload: { upToId: 'x' } }), 400, 'invalid_field', 'upToId');
});
