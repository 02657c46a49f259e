import assert from 'node:assert/strict';
import type { TestApp } from '../support/app.ts';
import { enrolment } from '../support/fixtures.ts';

/** A clock the test moves: nothing depends on today's date or waits on the wall clock. */
export class TestClock {
  private t: number;
  constructor(start = Date.UTC(2031, 4, 6, 1, 30, 0)) {
    this.t = start;
  }
  readonly now = (): Date => new Date(this.t);
  advance(ms: number): void {
    this.t += ms;
  }
}

let addressCounter = 0;
/** A fresh client address per call, so that tests do not share the per-address rate limits. */
export function freshAddress(): string {
  addressCounter += 1;
  return `10.${(addressCounter >> 16) & 255}.${(addressCounter >> 8) & 255}.${addressCounter & 255}`;
}

export function phoneOf(n: number): string {
  return enrolment(n).phone;
}

export async function requestCode(t: TestApp, phone: string, remoteAddress = freshAddress()) {
  return t.app.inject({ method: 'POST', url: '/v1/auth/otp', payload: { phone }, remoteAddress });
}

/** The last code the development SMS provider "sent" to a phone. */
export async function sentCode(t: TestApp, phone: string): Promise<string> {
  const res = await t.app.inject({ method: 'GET', url: `/v1/dev/otp?phone=${phone}` });
  assert.equal(res.statusCode, 200, res.body);
  const code = res.json().code as string;
  assert.match(code, /^[0-9]{6}$/);
  return code;
}

export interface BrowserSession {
  merchantId: string;
  cookie: string;
  csrfToken: string;
  expiresAt: string;
}

export interface ApiSession {
  merchantId: string;
  token: string;
  expiresAt: string;
}

async function signIn(t: TestApp, clock: TestClock, phone: string, client: 'browser' | 'api') {
  // one code per phone a minute: step past it so that a test may sign in the same phone again
  clock.advance(61_000);
  const address = freshAddress();
  assert.equal((await requestCode(t, phone, address)).statusCode, 202);
  const code = await sentCode(t, phone);
  const res = await t.app.inject({ method: 'POST', url: '/v1/auth/sessions', payload: { phone, code, client }, remoteAddress: address });
  assert.equal(res.statusCode, 201, res.body);
  return res;
}

export async function signInBrowser(t: TestApp, clock: TestClock, phone: string): Promise<BrowserSession> {
  const res = await signIn(t, clock, phone, 'browser');
  const cookie = res.cookies.find((c) => c.name === 'cp_session');
  assert.ok(cookie, 'the session cookie is set');
  const body = res.json();
  return { merchantId: body.merchantId, cookie: cookie.value, csrfToken: body.csrfToken, expiresAt: body.expiresAt };
}

export async function signInApi(t: TestApp, clock: TestClock, phone: string): Promise<ApiSession> {
  const body = (await signIn(t, clock, phone, 'api')).json();
  return { merchantId: body.merchantId, token: body.token, expiresAt: body.expiresAt };
}

export function assertError(res: { statusCode: number; json(): unknown; body: string }, status: number, code: string, field?: string): void {
  assert.equal(res.statusCode, status, res.body);
  const error = (res.json() as { error: { code: string; message: string; field?: string } }).error;
  assert.equal(error.code, code, res.body);
  assert.equal(typeof error.message, 'string');
  if (field !== undefined) assert.equal(error.field, field, res.body);
}
