/** The console's code tables hold every code the server can send, in both languages (issue 23: no raw `spend`, `odd_hour` or `PAYEE_NOT_EXIST`). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLAIM_STATUSES } from '../../src/claims/store.ts';
import type { FindingOutcome } from '../../src/claims/findings.ts';
import { PENDING_EXPIRED_CODE } from '../../src/ledger/expiry.ts';
import type { TransferPhase } from '../../src/ledger/types.ts';
import type { PaymentSignal } from '../../src/payments/accrual.ts';
import { ATTEMPTS_EXHAUSTED, type PayoutState } from '../../src/payouts/payout.ts';
import { DEFINITE_TRANSFER_FAILURES } from '../../src/payouts/protocol.ts';
import type { Mismatch } from '../../src/payouts/reconcile.ts';
import { RECOVERY_CODES } from '../../src/points/recovery.ts';
import { REDEEM_CODE, SPEND_CODE } from '../../src/points/spend.ts';
import type { AfterPayment } from '../../src/claims/verification-store.ts';
import { UNAVAILABLE_REASONS } from '../../src/verification/index.ts';
import { CODES_EN, CODES_ZH } from '../../web/console/codes.ts';

/** The keys of a union written out: `satisfies` fails to compile when the server's type gains a member. */
const keysOf = <K extends string>(all: Record<K, true>): K[] => Object.keys(all) as K[];

const SENT: Record<string, readonly string[]> = {
  // the transfer codes the ledger is written with (src/payments/ingest.ts, src/points/*, src/ledger/expiry.ts)
  ledger: ['accrual', 'welcome', 'collect', 'lapse', 'expire', 'over_cap', SPEND_CODE, REDEEM_CODE, 'clawback', 'clawback_debt', RECOVERY_CODES.fromCredit, RECOVERY_CODES.asDebt, 'debt_repay', PENDING_EXPIRED_CODE],
  phase: keysOf({ single: true, pending: true, post: true, void: true } satisfies Record<TransferPhase, true>),
  signal: keysOf({ near_threshold_amount: true, odd_hour: true, payer_is_merchant: true, merchant_cycle: true, payer_fan_out: true } satisfies Record<PaymentSignal, true>),
  payoutState: keysOf({ ready: true, sending: true, unknown: true, succeeded: true, failed: true } satisfies Record<PayoutState, true>),
  payoutFailure: [...DEFINITE_TRANSFER_FAILURES, ATTEMPTS_EXHAUSTED],
  outcome: keysOf({ pass: true, fail: true, doubt: true } satisfies Record<FindingOutcome, true>),
  claimStatus: CLAIM_STATUSES,
  deferredBecause: UNAVAILABLE_REASONS,
  afterPayment: keysOf({ queued: true, verified: true, mismatched: true, unknown_bill: true } satisfies Record<AfterPayment, true>),
  mismatchedField: ['total', 'issue_date'],
};
const ALERTS = keysOf({ payout_missing_at_gateway: true, gateway_transfer_not_posted: true, amount_differs: true } satisfies Record<Mismatch['kind'], true>);

for (const [language, table] of [['zh-CN', CODES_ZH], ['en', CODES_EN]] as const) {
  test(`the console says every code the server sends in words (${language})`, () => {
    const words = table as unknown as Record<string, Record<string, string>>;
    for (const [kind, codes] of Object.entries(SENT)) {
      const missing = codes.filter((code) => !words[kind]?.[code]);
      assert.deepEqual(missing, [], `${kind} codes without words in ${language}`);
    }
    assert.deepEqual(ALERTS.filter((kind) => !table.alert.payout_reconciliation[kind]), [], `alert kinds without words in ${language}`);
  });
}

test('the Chinese words are Chinese and no code is its own translation', () => {
  for (const [kind, codes] of Object.entries(CODES_ZH)) {
    for (const [code, words] of Object.entries(codes as Record<string, string | object>)) {
      if (typeof words !== 'string') continue;
      assert.match(words, /\p{Script=Han}/u, `codes.${kind}.${code} in Chinese`);
      assert.notEqual(words, code);
    }
  }
});
