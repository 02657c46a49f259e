/** Payouts: the wallet-gateway client, the sandbox gateway that stands in for the platform, and the payout lifecycle. */
export { createWalletGateway, type GatewayBillRecord, type TransferRequest, type WalletGateway, type WalletGatewayOptions } from './gateway.ts';
export { reconcile, type Mismatch, type PostedPayout } from './reconcile.ts';
export { reconcilePayoutDay, type ReconciliationRun } from './reconcile-store.ts';
export type { QueryOutcome, TransferOutcome, UnknownOutcome, UnknownReason } from './outcomes.ts';
export { startSandboxGateway, type SandboxGateway, type SandboxOptions } from './sandbox.ts';
export type { SandboxFaults, SandboxForcedOutcome } from './sandbox-faults.ts';
export type { SandboxRecord } from './sandbox-book.ts';
export { generateGatewayKeys, type GatewayKeys, type KeyPairPem } from './keys.ts';
export { createPayout, payOut, PayoutOutcomeUnknown, MAX_PAYOUT_ATTEMPTS, MAX_UNKNOWN_OUTCOME_RETRIES, PAY_JOB_MAX_ATTEMPTS, payRetryDelayMs, EXHAUSTED_QUIET_MS, ATTEMPTS_EXHAUSTED, type OnSettled, type Payout, type PayoutGateway } from './payout.ts';
