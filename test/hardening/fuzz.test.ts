/**
 * Issue 13's fuzzer: generated requests over every route of the OpenAPI document (/docs/json), from
 * every kind of caller. Whatever comes in: no 5xx, every refusal in the one error shape, and nothing
 * written by a refused request. Deterministic (fixed seed); CAREPOINTS_FUZZ_CASES sets the cases per
 * route (`npm run soak:fuzz` runs more and prints the counts).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { signRsa2 } from '../../src/shared/rsa2.ts';
import { localFileStore } from '../../src/storage/index.ts';
import { signInApi, signInBrowser, TestClock } from '../auth/support.ts';
import { asOps, asPlatform, asReviewer, createTestApp, PLATFORM_KEYS, TEST_PLATFORM_APP_ID, type TestApp } from '../support/app.ts';
import { enrolMerchants, enrolment } from '../support/fixtures.ts';
import { payerWallet, SAMPLE_NOTIFICATION } from '../support/payments.ts';
import { operationsOf, requestsFor, type FuzzContext, type FuzzRequest } from './openapi-fuzz.ts';

const SEED = 13;
const CASES_PER_ROUTE = Number(process.env.CAREPOINTS_FUZZ_CASES ?? 200);
/** A request that gets no answer in this time is a failure too (a hung request holds a connection). */
const ANSWER_TIMEOUT_MS = 10_000;

const clock = new TestClock();
let t: TestApp;
let filesDir: string;
let ctx: FuzzContext;

before(async () => {
  filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carepoints-fuzz-files-'));
  t = await createTestApp({ files: localFileStore(filesDir), now: clock.now });
  const merchants = await enrolMerchants(t.db.pool, 2);
  const api = await signInApi(t, clock, enrolment(1).phone);
  const browser = await signInBrowser(t, clock, enrolment(2).phone);
  const beijing = new Date(clock.now().getTime() + 8 * 3_600_000).toISOString().replace('T', ' ').slice(0, 19);
  ctx = {
    callers: [
      {},
      asOps,
      asPlatform,
      asReviewer,
      { authorization: `Bearer ${api.token}` },
      { cookie: `cp_session=${browser.cookie}`, 'x-csrf-token': browser.csrfToken },
      { cookie: `cp_session=${browser.cookie}` },
      { authorization: 'Bearer ' },
      { authorization: 'Bearer \u00e9\u00e9' },
      { authorization: `Basic ${Buffer.from('ops:x').toString('base64')}` },
      { authorization: `Bearer ${'x'.repeat(5000)}` },
      { cookie: 'cp_session=%00; cp_session=x' },
    ],
    known: {
      id: [String(merchants[0]!.id), String(merchants[1]!.id), '100001'],
      accountId: ['1', String(merchants[0]!.available)],
    },
    sampleForm: { ...SAMPLE_NOTIFICATION, app_id: TEST_PLATFORM_APP_ID, seller_id: enrolment(1).walletUserId, buyer_id: payerWallet(1), gmt_payment: beijing, notify_time: beijing },
    signForm: (fields) => ({ ...fields, sign_type: 'RSA2', sign: signRsa2(fields, PLATFORM_KEYS.privateKey) }),
  };
});
after(async () => {
  await t?.close();
  fs.rmSync(filesDir, { recursive: true, force: true });
});

/** What refusals must leave untouched: the programme's records and money. */
async function fingerprint(): Promise<string> {
  const { rows } = await t.db.pool.query(`
    SELECT concat_ws('/',
      (SELECT count(*) FROM merchants), (SELECT count(*) FROM payments), (SELECT count(*) FROM ledger_transfers),
      (SELECT coalesce(sum(debits_pending + debits_posted + credits_pending + credits_posted), 0) FROM ledger_accounts),
      (SELECT count(*) FROM credit_lots), (SELECT count(*) FROM claims), (SELECT count(*) FROM rulesets)) AS f`);
  return rows[0].f as string;
}

function describe(r: FuzzRequest): string {
  const payload = r.payload === undefined ? '' : ` body(${r.kind})=${JSON.stringify(String(r.payload).slice(0, 300))}`;
  return `${r.method} ${r.url.slice(0, 300)} headers=${JSON.stringify(r.headers).slice(0, 300)}${payload}`;
}

/** The problem with an answer, or null when it is acceptable. */
function judge(status: number, contentType: string | undefined, body: string): string | null {
  if (status >= 500) return `answered ${status}: ${body.slice(0, 300)}`;
  if (status < 400) return null;
  if (!contentType?.startsWith('application/json')) return `refusal ${status} is ${contentType}, not JSON`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return `refusal ${status} is not JSON: ${body.slice(0, 200)}`;
  }
  const error = (parsed as { error?: { code?: unknown; message?: unknown } }).error;
  const shaped = Object.keys(parsed as object).length === 1 && typeof error?.code === 'string' && /^[a-z][a-z0-9_]*$/.test(error.code) && typeof error.message === 'string' && error.message.length > 0;
  return shaped ? null : `refusal ${status} is not in the error shape: ${body.slice(0, 200)}`;
}

test(`${CASES_PER_ROUTE} generated requests per route: no 5xx, the error shape, no write on refusal`, { timeout: 20 * 60_000 }, async () => {
  const spec = (await t.app.inject({ url: '/docs/json', headers: asOps })).json();
  const operations = operationsOf(spec);
  assert.ok(operations.length >= 20, `the document lists the routes (${operations.length})`);
  const counts = { requests: 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, notExpressible: 0 };
  const failures: string[] = [];
  const failingRoutes = new Map<string, { count: number; first: string }>();
  let last = await fingerprint();
  for (const [index, op] of operations.entries()) {
    for (const request of fc.sample(requestsFor(spec, op, ctx), { seed: SEED + index, numRuns: CASES_PER_ROUTE })) {
      let res;
      try {
        const answer = t.app.inject({ method: request.method as 'GET', url: request.url, headers: request.headers, ...(request.payload !== undefined ? { payload: request.payload } : {}) });
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ANSWER_TIMEOUT_MS)));
        res = await Promise.race([answer, timeout]);
        clearTimeout(timer);
      } catch (err) {
        // light-my-request refuses what no HTTP client can send (a NUL in a header): Node's parser would too
        if ((err as { code?: string }).code === 'ERR_INVALID_CHAR' || (err as { code?: string }).code === 'ERR_HTTP_INVALID_HEADER_VALUE') {
          counts.notExpressible++;
          continue;
        }
        throw err;
      }
      counts.requests++;
      if (res === 'timeout') {
        failures.push(`no answer in ${ANSWER_TIMEOUT_MS} ms: ${describe(request)}`);
        continue;
      }
      counts[`${Math.floor(res.statusCode / 100)}xx` as '2xx']++;
      const problem = judge(res.statusCode, res.headers['content-type'] as string | undefined, res.body);
      if (problem) failures.push(`${problem}\n    ${describe(request)}`);
      if (problem) {
        const route = failingRoutes.get(`${op.method} ${op.path}`);
        failingRoutes.set(`${op.method} ${op.path}`, { count: (route?.count ?? 0) + 1, first: route?.first ?? failures.at(-1)! });
      }
      const now = await fingerprint();
      if (res.statusCode >= 400 && now !== last) failures.push(`refused with ${res.statusCode} but wrote (${last} → ${now})\n    ${describe(request)}`);
      last = now;
    }
  }
  console.log(`fuzz: ${operations.length} routes, ${counts.requests} requests (seed ${SEED}): 2xx ${counts['2xx']}, 3xx ${counts['3xx']}, 4xx ${counts['4xx']}, 5xx ${counts['5xx']}; ${counts.notExpressible} not expressible in HTTP; ${failures.length} failures`);
  assert.equal(failures.length, 0, `${failures.length} failures; the first of each route:\n${[...failingRoutes].map(([route, f]) => `${route} (${f.count}): ${f.first}`).join('\n')}`);
});
