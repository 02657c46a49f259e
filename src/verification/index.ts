/** Invoices checked with their issuer: the verification service's protocol, its HTTPS client, the sandbox service, the cache and daily limit. */
export { requestProblem, UNAVAILABLE_REASONS, type InvoiceVerifier, type IssuedBill, type UnavailableReason, type VerifyAnswer, type VerifyRequest } from './protocol.ts';
export { createHttpsVerifier, MAX_ANSWER_BYTES, MAX_VERIFIER_TIMEOUT_MS, type HttpsVerifierOptions } from './client.ts';
export { startVerifierSandbox, type RegionAnswer, type VerifierSandbox, type VerifierSandboxFaults, type VerifierSandboxOptions } from './sandbox.ts';
export { verificationCacheState, verifyBill, type CacheState, type VerificationLimits, type Verified } from './store.ts';
