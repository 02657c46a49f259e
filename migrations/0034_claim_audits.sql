-- Paid claims audited by sample (docs/claims.md "Audits after payment"). A machine-approved claim,
-- once paid, is drawn for a reviewer's audit when a keyed hash of its id falls inside the configured
-- share, or always when it paid at least the configured amount. One row per drawn claim, beside the
-- merchant's claims (merchant_id leads every key: Citus places it with them). A decision is final:
-- confirmed, or overpaid with what should have been paid; the overpayment is recovered through the
-- ledger (available credit first, the rest as debt) in the decision's transaction.
CREATE TABLE claim_audits (
  merchant_id    bigint NOT NULL,
  claim_id       uuid NOT NULL,
  payout_id      text NOT NULL,
  paid_fen       bigint NOT NULL CHECK (paid_fen > 0),
  -- 'sample': the keyed hash fell inside the share; 'amount': paid at least the threshold (all audited)
  drawn_because  text NOT NULL CHECK (drawn_because IN ('sample', 'amount')),
  drawn_at       timestamptz NOT NULL,
  status         text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'overpaid')),
  decided_at     timestamptz,
  decided_by     text,
  -- overpaid: what the claim should have paid, and why (the merchant is told: the reason's words in
  -- both languages from the catalogue of reasons, and the reviewer's note as written)
  due_fen        bigint CHECK (due_fen >= 0),
  reason_code    text CHECK (reason_code IN ('amount_misread', 'excluded_items', 'not_covered', 'benefit_miscalculated', 'other')),
  note           text CHECK (char_length(note) BETWEEN 1 AND 500),
  -- how the overpayment (paid_fen - due_fen) was recovered
  recovered_from_credit_fen  bigint CHECK (recovered_from_credit_fen >= 0),
  recovered_as_debt_fen      bigint CHECK (recovered_as_debt_fen >= 0),
  PRIMARY KEY (merchant_id, claim_id),
  FOREIGN KEY (merchant_id, claim_id) REFERENCES claims (merchant_id, claim_id),
  FOREIGN KEY (merchant_id, payout_id) REFERENCES payouts (merchant_id, payout_id),
  CHECK ((status = 'pending') = (decided_at IS NULL) AND (status = 'pending') = (decided_by IS NULL)),
  CHECK ((status = 'overpaid') = (due_fen IS NOT NULL) AND (status = 'overpaid') = (reason_code IS NOT NULL)),
  CHECK (reason_code <> 'other' OR note IS NOT NULL),
  CHECK (due_fen IS NULL OR due_fen < paid_fen),
  CHECK ((status = 'overpaid') = (recovered_from_credit_fen IS NOT NULL) AND (status = 'overpaid') = (recovered_as_debt_fen IS NOT NULL)),
  CHECK (status <> 'overpaid' OR recovered_from_credit_fen + recovered_as_debt_fen = paid_fen - due_fen)
);
-- the reviewers' queue: pending audits, oldest drawn first
CREATE INDEX claim_audits_pending ON claim_audits (drawn_at, claim_id) WHERE status = 'pending';
-- a reviewer names an audit by its claim's id alone
CREATE INDEX claim_audits_by_claim ON claim_audits (claim_id);
