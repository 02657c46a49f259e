/** Shared set-up for the payouts tests: one key set per test process, sandboxes closed after each test. */
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { createWalletGateway, generateGatewayKeys, startSandboxGateway, type SandboxGateway, type SandboxOptions, type WalletGateway, type WalletGatewayOptions } from '../../src/payouts/index.ts';

export const KEYS = generateGatewayKeys();
export const APP_ID = '2021000000000001';
export const PAYEE = '2088000000000001';

export async function sandboxFor(t: TestContext, options: Partial<SandboxOptions> = {}): Promise<SandboxGateway> {
  const sandbox = await startSandboxGateway({ appId: APP_ID, appPublicKeyPem: KEYS.app.publicKeyPem, gatewayPrivateKeyPem: KEYS.gateway.privateKeyPem, ...options });
  t.after(() => sandbox.close());
  return sandbox;
}

export function clientFor(gatewayUrl: string, options: Partial<WalletGatewayOptions> = {}): WalletGateway {
  return createWalletGateway({ gatewayUrl, appId: APP_ID, appPrivateKeyPem: KEYS.app.privateKeyPem, gatewayPublicKeyPem: KEYS.gateway.publicKeyPem, timeoutMs: 5_000, ...options });
}

/** A fresh out_biz_no, 32 characters like the pipeline's payout ids. */
export function newOutBizNo(): string {
  return `T${randomBytes(16).toString('hex').toUpperCase().slice(0, 31)}`;
}

export function transferOf(amountFen: number, payeeUserId = PAYEE, outBizNo = newOutBizNo()) {
  return { outBizNo, amountFen, payeeUserId, orderTitle: '门诊报销 outpatient reimbursement' };
}

/** `random` that answers the given numbers in order and fails loudly when a test draws more than it planned. */
export function scripted(values: number[]): () => number {
  let next = 0;
  return () => {
    if (next >= values.length) throw new Error(`scripted random exhausted after ${values.length} draws`);
    return values[next++]!;
  };
}

/** A small seeded PRNG (mulberry32): the same seed gives the same faults. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
