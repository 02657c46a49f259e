/**
 * The HTTPS client against the sandbox service, both real: the answers a region gives (every field,
 * three, no items), a bill not issued, and every way of giving no verdict (busy, down, slow, an answer
 * outside the schema, the platform's daily limit); the client never throws for them.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createHttpsVerifier, MAX_ANSWER_BYTES, startVerifierSandbox, type IssuedBill, type VerifierSandbox } from '../../src/verification/index.ts';

const TOKEN = 'a-sandbox-token';
const BILL: IssuedBill = {
  billCode: '44010126',
  billNumber: '0000012345',
  checkCode: 'a1b2c3',
  issueDate: '2026-11-02',
  totalFen: 12_345,
  payerName: '王芳',
  items: [{ name: '挂号费', amountFen: 1_000 }, { name: '西药费', amountFen: 11_345 }],
};
const ASK = { billCode: BILL.billCode, billNumber: BILL.billNumber, checkCode: 'a1b2c3', issueDate: '2026-11-02', totalFen: 12_345 };

let sandbox: VerifierSandbox;
let three: VerifierSandbox;
before(async () => {
  sandbox = await startVerifierSandbox({ token: TOKEN, dailyLimitPerBill: 3, now: () => new Date('2026-11-05T04:00:00Z') });
  three = await startVerifierSandbox({ token: TOKEN, answer: 'three_fields' });
  for (const s of [sandbox, three]) s.issue(BILL);
});
after(async () => {
  await sandbox.close();
  await three.close();
});

const client = (url: string, timeoutMs = 2_000) => createHttpsVerifier({ url, token: TOKEN, timeoutMs });

test('a bill issued is found with every field its region gives; one never issued is not found', async () => {
  assert.deepEqual(await client(sandbox.url).verify(ASK), { kind: 'found', bill: BILL });
  assert.deepEqual(await client(three.url).verify(ASK), { kind: 'found', bill: { billCode: '44010126', billNumber: '0000012345', totalFen: 12_345 } });
  assert.deepEqual(await client(three.url).verify({ ...ASK, billNumber: '0000099999' }), { kind: 'not_found' });
});

test("past the platform's checks of a bill for the day, the answer is the daily limit, not a verdict", async () => {
  // one check of this bill was spent above
  assert.equal((await client(sandbox.url).verify(ASK)).kind, 'found');
  assert.equal((await client(sandbox.url).verify(ASK)).kind, 'found');
  assert.deepEqual(await client(sandbox.url).verify(ASK), { kind: 'unavailable', reason: 'daily_limit', detail: "the platform's daily limit of checks for this bill is reached" });
});

test('busy, down and slow are each an answer without a verdict, with the reason; a wrong token is not a verdict either', async () => {
  const s = await startVerifierSandbox({ token: TOKEN, faults: { unknownRate: 1 } });
  try {
    s.issue(BILL);
    assert.deepEqual(await client(s.url).verify(ASK), { kind: 'unavailable', reason: 'busy', detail: '系统繁忙，请稍后再试' });
    s.setFaults({ outage: true });
    assert.deepEqual(await client(s.url).verify(ASK), { kind: 'unavailable', reason: 'outage', detail: 'the service answered HTTP 503' });
    s.setFaults({ latencyMs: [1_500, 1_500] });
    const started = performance.now();
    assert.deepEqual(await client(s.url, 200).verify(ASK), { kind: 'unavailable', reason: 'timeout', detail: 'no answer within 200 ms' });
    assert.ok(performance.now() - started < 1_400, 'the client gave up at its timeout, not at the answer');
    assert.equal((await createHttpsVerifier({ url: s.url, token: 'another-token', timeoutMs: 2_000 }).verify(ASK)).kind, 'unavailable');
  } finally {
    await s.close();
  }
  const closed = await startVerifierSandbox({ token: TOKEN });
  const url = closed.url;
  await closed.close();
  const refused = await client(url).verify(ASK);
  assert.deepEqual([refused.kind, refused.kind === 'unavailable' && refused.reason], ['unavailable', 'outage']);
});

test('an answer outside the schema is not read as a verdict', async () => {
  const answers = [JSON.stringify({ result: 'found', bill: { billCode: '4401', billNumber: '0000012345' } }), JSON.stringify({ result: 'maybe' }), 'not json'];
  let next = 0;
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(answers[next++]));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const detail of [/the answer does not match the schema: \/bill\/billCode/, /the answer does not match the schema/, /the answer is not JSON/]) {
      const a = await client(url).verify(ASK);
      assert.equal(a.kind, 'unavailable');
      assert.equal(a.kind === 'unavailable' && a.reason, 'invalid_answer');
      assert.match(a.kind === 'unavailable' ? a.detail : '', detail);
    }
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('an answer longer than the limit is not read: the client stops at the limit and decides without it', async () => {
  // an endless answer: the client must stop reading, not wait for its end or hold it all
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const more = () => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once('drain', more);
    };
    more();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const a = await client(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 5_000).verify(ASK);
    assert.deepEqual(a, { kind: 'unavailable', reason: 'invalid_answer', detail: `an answer of more than ${MAX_ANSWER_BYTES} bytes` });
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('a question outside the platform formats is refused before anything is sent', async () => {
  await assert.rejects(client(sandbox.url).verify({ ...ASK, billCode: '4401012' }), /billCode must be the 8 digits of 票据代码/);
  await assert.rejects(client(sandbox.url).verify({ ...ASK, checkCode: 'a1b2' }), /checkCode must be the 6 characters of 校验码/);
});
