/**
 * The sandbox verification service: an HTTP server that speaks the commercial service's protocol
 * (protocol.ts) over a store of issued bills, and injects latency, unknown answers ("busy") and
 * outages by configuration, as the wallet sandbox does for payouts. Whoever issues a bill (the
 * invoice generator's callers: the simulator, the demo, the tests) registers it with `issue`; a bill
 * not registered is not found. The platform's limit of checks per bill per day is enforced here too.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { businessDay } from '../shared/business-day.ts';
import { isWireRequest, VERIFY_PATH, wireBillOf, type IssuedBill } from './protocol.ts';

/** What a region answers with: every field, three (code, number, total), or every field but the items. */
export type RegionAnswer = 'full' | 'three_fields' | 'no_items';

export interface VerifierSandboxFaults {
  /** Each request waits a uniform whole number of ms in [min, max]. */
  latencyMs?: readonly [number, number];
  /** Rate (0..1) of requests answered `busy`: no verdict. */
  unknownRate?: number;
  /** Every request answered HTTP 503 while true. */
  outage?: boolean;
}

export interface VerifierSandboxOptions {
  faults?: VerifierSandboxFaults;
  /** Checks of one bill a Shanghai day before `limit_exceeded` (the platform's own limit); default 20. */
  dailyLimitPerBill?: number;
  answer?: RegionAnswer;
  /** The bearer token it accepts. */
  token: string;
  random?: () => number;
  now?: () => Date;
  /** Explicit limit on bills kept; default 1,000,000. */
  maxBills?: number;
}

export interface VerifierSandbox {
  url: string;
  /** Registers a bill as issued (the issuer's record); the same key again replaces it. */
  issue(bill: IssuedBill): void;
  setFaults(faults: VerifierSandboxFaults): void;
  /** Requests received, answered or not. */
  requests(): number;
  close(): Promise<void>;
}

const MAX_LATENCY_MS = 60_000;
const MAX_BODY_BYTES = 16 * 1024;

function checkedFaults(faults: VerifierSandboxFaults): VerifierSandboxFaults {
  const rate = faults.unknownRate ?? 0;
  if (!Number.isFinite(rate) || rate < 0 || rate > 1) throw new RangeError(`unknownRate must be in 0..1, not ${rate}`);
  const [min, max] = faults.latencyMs ?? [0, 0];
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < min || max > MAX_LATENCY_MS) throw new RangeError(`latencyMs must be whole [min, max] with 0 <= min <= max <= ${MAX_LATENCY_MS}`);
  return { ...faults, latencyMs: [min, max] };
}

function shown(bill: IssuedBill, answer: RegionAnswer): IssuedBill {
  if (answer === 'three_fields') return { billCode: bill.billCode, billNumber: bill.billNumber, ...(bill.totalFen === undefined ? {} : { totalFen: bill.totalFen }) };
  if (answer === 'no_items') {
    const { items: _items, ...rest } = bill;
    return rest;
  }
  return bill;
}

export async function startVerifierSandbox(options: VerifierSandboxOptions): Promise<VerifierSandbox> {
  let faults = checkedFaults(options.faults ?? {});
  const random = options.random ?? Math.random;
  const now = options.now ?? (() => new Date());
  const limit = options.dailyLimitPerBill ?? 20;
  const maxBills = options.maxBills ?? 1_000_000;
  const answerWith = options.answer ?? 'full';
  const bills = new Map<string, IssuedBill>();
  const checks = new Map<string, number>();
  let received = 0;
  const closing = new AbortController();
  const keyOf = (code: string, number: string) => `${code}_${number}`;

  const send = (res: http.ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' }).end(JSON.stringify(body));
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    received += 1;
    if (req.method !== 'POST' || new URL(req.url ?? '/', 'http://sandbox').pathname !== VERIFY_PATH) return send(res, 404, { error: 'not found' });
    if (req.headers.authorization !== `Bearer ${options.token}`) return send(res, 401, { error: 'unauthorised' });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) return send(res, 413, { error: 'request body too large' });
      chunks.push(chunk as Buffer);
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return send(res, 400, { error: 'not JSON' });
    }
    if (!isWireRequest(body)) return send(res, 400, { error: 'billCode, billNumber, checkCode, issueDate and totalAmount are required in the platform formats' });
    const [min, max] = faults.latencyMs ?? [0, 0];
    await sleep(min + Math.min(max - min, Math.floor(random() * (max - min + 1))), undefined, { signal: closing.signal });
    if (faults.outage) return send(res, 503, { error: 'service unavailable' });
    if (random() < (faults.unknownRate ?? 0)) return send(res, 200, { result: 'busy', message: '系统繁忙，请稍后再试' });
    const key = keyOf(body.billCode, body.billNumber);
    const counted = `${key}@${businessDay(now())}`;
    const n = (checks.get(counted) ?? 0) + 1;
    if (n > limit) return send(res, 200, { result: 'limit_exceeded' });
    checks.set(counted, n);
    const bill = bills.get(key);
    send(res, 200, bill ? wireBillOf(shown(bill, answerWith)) : { result: 'not_found' });
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    issue(bill) {
      if (!bills.has(keyOf(bill.billCode, bill.billNumber)) && bills.size >= maxBills) throw new RangeError(`the sandbox keeps at most ${maxBills} bills`);
      bills.set(keyOf(bill.billCode, bill.billNumber), bill);
    },
    setFaults(next) {
      faults = checkedFaults(next);
    },
    requests: () => received,
    async close() {
      closing.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
