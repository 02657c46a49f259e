-- Daily payout reconciliation (src/payouts/reconcile-store.ts): one row per Shanghai business day
-- reconciled, the latest run's counts; mismatches become operator_alerts.
CREATE TABLE payout_reconciliations (
  business_day     date PRIMARY KEY,
  ran_at           timestamptz NOT NULL DEFAULT now(),
  posted_payouts   integer NOT NULL CHECK (posted_payouts >= 0),
  gateway_records  integer NOT NULL CHECK (gateway_records >= 0),
  mismatches       integer NOT NULL CHECK (mismatches >= 0)
);
-- the gateway's bill names payouts by out_biz_no (our payout id) alone
CREATE INDEX payouts_by_payout_id ON payouts (payout_id);
CREATE INDEX payouts_settled ON payouts (settled_at) WHERE state = 'succeeded';
