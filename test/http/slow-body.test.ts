/**
 * A body trickled a byte at a time held a socket for minutes (issue 21, Low 9): a request must now
 * arrive whole within its time, or be answered 408 request_timeout and its socket closed.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, test } from 'node:test';
import type { AddressInfo } from 'node:net';
import { createTestApp, type TestApp } from '../support/app.ts';

const TIMEOUT_SECONDS = 2;
let t: TestApp;
before(async () => {
  t = await createTestApp({ requestTimeoutSeconds: TIMEOUT_SECONDS });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
});
after(async () => t.close());

test('a slow body is answered 408 and its socket closed once the request time is up', { timeout: 60_000 }, async () => {
  const socket = net.connect((t.app.server.address() as AddressInfo).port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write('POST /v1/auth/otp HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
  let answer = '';
  socket.on('data', (d: Buffer) => (answer += d.toString()));
  // one byte a second, as the attacker trickled them, until the server ends the connection
  const trickle = setInterval(() => socket.writable && socket.write(' '), 1_000);
  const started = performance.now();
  await once(socket, 'close');
  clearInterval(trickle);
  const seconds = (performance.now() - started) / 1000;
  assert.match(answer, /^HTTP\/1\.1 408/);
  assert.match(answer, /"code":"request_timeout"/);
  // the bound plus Node's check interval, with room for a loaded machine
  assert.ok(seconds < TIMEOUT_SECONDS + 20, `the socket was held ${seconds.toFixed(1)} s`);
});
