/**
 * The sandbox wallet gateway on a port of its own, with fresh keys, and the environment a
 * `carepoints` process needs to pay through it.
 */
import { generateGatewayKeys, startSandboxGateway, type SandboxFaults, type SandboxGateway } from '../../src/payouts/index.ts';

export const SANDBOX_APP_ID = '2021000000000001';

export interface SandboxWallet {
  sandbox: SandboxGateway;
  keys: ReturnType<typeof generateGatewayKeys>;
  /** CAREPOINTS_WALLET_* for a process that pays through this sandbox. */
  env: Record<string, string>;
}

/** `random` draws the faults (a seeded one replays them); default Math.random. */
export async function startSandboxWallet(faults: SandboxFaults = {}, random?: () => number): Promise<SandboxWallet> {
  const keys = generateGatewayKeys();
  const sandbox = await startSandboxGateway({ appId: SANDBOX_APP_ID, appPublicKeyPem: keys.app.publicKeyPem, gatewayPrivateKeyPem: keys.gateway.privateKeyPem, faults, ...(random ? { random } : {}) });
  const env = {
    CAREPOINTS_WALLET_GATEWAY_URL: sandbox.url,
    CAREPOINTS_WALLET_APP_ID: SANDBOX_APP_ID,
    CAREPOINTS_WALLET_APP_PRIVATE_KEY: keys.app.privateKeyPem,
    CAREPOINTS_WALLET_GATEWAY_PUBLIC_KEY: keys.gateway.publicKeyPem,
  };
  return { sandbox, keys, env };
}
