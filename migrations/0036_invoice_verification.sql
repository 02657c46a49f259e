-- Invoices checked with their issuer (docs/claims.md "Checked with the issuer"). Two tables:
--
-- invoice_verifications: one row per bill asked about, keyed by the bill (票据代码 + 票据号码): the
-- issuer's answer kept (a found bill's record for good, "not found" for its Shanghai day) and the
-- checks sent today, counted before each is sent, so the platform's limit per bill per day is kept by
-- every worker together. A bill is the issuer's, not a merchant's: the key is global (Citus
-- distributes it by invoice_number, as invoice_claims).
CREATE TABLE invoice_verifications (
  invoice_code    text NOT NULL CHECK (invoice_code ~ '^[0-9]{8}$'),
  invoice_number  text NOT NULL CHECK (invoice_number ~ '^[0-9]{10}$'),
  answer          text CHECK (answer IN ('found', 'not_found')),
  -- the issuer's record as it answered (the fields its region gives)
  issuer_record   jsonb,
  answered_at     timestamptz,
  checks_day      date NOT NULL,
  checks_today    integer NOT NULL CHECK (checks_today >= 1),
  checks_total    integer NOT NULL CHECK (checks_total >= checks_today),
  -- the last Shanghai day a check of the bill was refused by the daily limit
  limited_on      date,
  PRIMARY KEY (invoice_code, invoice_number),
  CHECK ((answer = 'found') = (issuer_record IS NOT NULL)),
  CHECK ((answer IS NULL) = (answered_at IS NULL))
);

-- claim_verifications: what the issuer said of each claim's bill at its decision, beside the
-- merchant's claims. A claim decided without the issuer (the service down, slow, unreadable, or the
-- day's checks of the bill spent) is queued: checked again after payment by a job with retries; a
-- paid claim the issuer then contradicts goes to the audit desk (claim_audits, drawn_because
-- 'verification'), whose overpayment decision recovers through the ledger.
CREATE TABLE claim_verifications (
  merchant_id       bigint NOT NULL,
  claim_id          uuid NOT NULL,
  invoice_code      text NOT NULL,
  invoice_number    text NOT NULL,
  -- what was read and asked
  check_code        text NOT NULL,
  issue_date        date NOT NULL,
  total_fen         bigint NOT NULL CHECK (total_fen >= 0),
  outcome           text NOT NULL CHECK (outcome IN ('verified', 'mismatched', 'unknown_bill', 'deferred')),
  deferred_because  text CHECK (deferred_because IN ('outage', 'timeout', 'busy', 'invalid_answer', 'daily_limit')),
  checked_at        timestamptz NOT NULL,
  -- the check after payment: queued, then what the issuer said
  after_payment     text CHECK (after_payment IN ('queued', 'verified', 'mismatched', 'unknown_bill')),
  attempts          integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_error        text,
  settled_at        timestamptz,
  -- mismatched: which fields the issuer's record contradicts
  mismatched_fields text[],
  PRIMARY KEY (merchant_id, claim_id),
  FOREIGN KEY (merchant_id, claim_id) REFERENCES claims (merchant_id, claim_id),
  CHECK ((outcome = 'deferred') = (deferred_because IS NOT NULL)),
  CHECK ((outcome = 'deferred') = (after_payment IS NOT NULL)),
  CHECK ((after_payment IN ('verified', 'mismatched', 'unknown_bill')) = (settled_at IS NOT NULL))
);
-- the queue of checks after payment, oldest first
CREATE INDEX claim_verifications_deferred ON claim_verifications (checked_at, claim_id) WHERE outcome = 'deferred';

-- the audit desk takes paid claims the issuer contradicted after payment, and names that reason
ALTER TABLE claim_audits DROP CONSTRAINT claim_audits_drawn_because_check;
ALTER TABLE claim_audits ADD CONSTRAINT claim_audits_drawn_because_check CHECK (drawn_because IN ('sample', 'amount', 'verification'));
ALTER TABLE claim_audits DROP CONSTRAINT claim_audits_reason_code_check;
ALTER TABLE claim_audits ADD CONSTRAINT claim_audits_reason_code_check CHECK (reason_code IN ('amount_misread', 'excluded_items', 'not_covered', 'benefit_miscalculated', 'issuer_mismatch', 'other'));
