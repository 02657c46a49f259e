import type { ClaimVerification } from '../claims/verification-store.ts';
import type { Config } from '../config/config.ts';
import { createHttpsVerifier } from '../verification/index.ts';
import { createWalletGateway, generateGatewayKeys, startSandboxGateway, type SandboxFaults, type WalletGateway } from '../payouts/index.ts';

/**
 * The configured platform gateway, or (development) a sandbox gateway in this process with fresh keys
 * and `sandboxFaults` (by default a realistic latency; the demo city adds a payee the wallet refuses).
 */
export async function walletGatewayFor(config: Pick<Config, 'walletGateway'>, sandboxFaults: SandboxFaults = { latencyMs: [100, 300] }): Promise<{ gateway: WalletGateway; sandboxUrl: string | null; close(): Promise<void> }> {
  if (config.walletGateway) {
    const w = config.walletGateway;
    return { gateway: createWalletGateway({ gatewayUrl: w.url, appId: w.appId, appPrivateKeyPem: w.appPrivateKeyPem, gatewayPublicKeyPem: w.gatewayPublicKeyPem, timeoutMs: w.timeoutMs }), sandboxUrl: null, close: async () => {} };
  }
  const keys = generateGatewayKeys();
  const appId = '2021000000000000';
  const sandbox = await startSandboxGateway({ appId, appPublicKeyPem: keys.app.publicKeyPem, gatewayPrivateKeyPem: keys.gateway.privateKeyPem, faults: sandboxFaults });
  const gateway = createWalletGateway({ gatewayUrl: sandbox.url, appId, appPrivateKeyPem: keys.app.privateKeyPem, gatewayPublicKeyPem: keys.gateway.publicKeyPem, timeoutMs: 5_000 });
  return { gateway, sandboxUrl: sandbox.url, close: () => sandbox.close() };
}

/** The claim workers' invoice verifier: the configured service, or none (invoices are then not checked with their issuer). */
export function verificationFor(config: Pick<Config, 'invoiceVerifier'>): ClaimVerification | undefined {
  const v = config.invoiceVerifier;
  if (!v) return undefined;
  return { verifier: createHttpsVerifier({ url: v.url, token: v.token, timeoutMs: v.timeoutMs }), limits: { dailyLimitPerBill: v.dailyLimitPerBill } };
}
