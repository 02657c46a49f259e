-- Reads of the operations console: merchant search by name (prefix), and payouts newest first.
CREATE INDEX merchants_legal_name ON merchants (legal_name text_pattern_ops, merchant_id);
CREATE INDEX payouts_recent ON payouts (created_at DESC, claim_id DESC);
