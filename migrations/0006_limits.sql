-- Limits that keep every number the API reads back a safe integer (issue 13): each side of a ledger
-- account (pending + posted) stays at or under 10^15 fen, so that any sum or difference of an
-- account's balances stays far inside 2^53. Per transfer, amount_fen <= 10^12 is already a CHECK
-- (0002); payments' amounts get the same ceiling here. Times are bounded to the years the programme
-- can mean, as the API's date-time format is (src/shared/date-time.ts).

ALTER TABLE ledger_accounts
  ADD CONSTRAINT ledger_accounts_debits_within_limit CHECK (debits_pending + debits_posted <= 1000000000000000),
  ADD CONSTRAINT ledger_accounts_credits_within_limit CHECK (credits_pending + credits_posted <= 1000000000000000);

ALTER TABLE payments
  ADD CONSTRAINT payments_total_within_limit CHECK (total_fen <= 1000000000000),
  ADD CONSTRAINT payments_paid_at_plausible CHECK (paid_at >= '2000-01-01T00:00:00Z' AND paid_at < '2100-01-01T00:00:00Z');

ALTER TABLE merchants
  ADD CONSTRAINT merchants_enrolled_at_plausible CHECK (enrolled_at >= '2000-01-01T00:00:00Z' AND enrolled_at < '2100-01-01T00:00:00Z');

ALTER TABLE rulesets
  ADD CONSTRAINT rulesets_effective_from_plausible CHECK (effective_from >= '2000-01-01T00:00:00Z' AND effective_from < '2100-01-01T00:00:00Z');
