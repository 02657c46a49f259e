-- Reminders that save credit: a message before pending credit lapses and before available credit
-- expires. Each lot is reminded at most once of each kind: this key is what makes the periodic
-- round idempotent (a round inserts the lot's row and writes the message in one transaction; a lot
-- already here is skipped). Kept to count what the reminders saved: the lot's later state says
-- whether it was collected (or spent) before its deadline.
CREATE TABLE credit_reminders (
  merchant_id   bigint NOT NULL,
  lot_id        uuid NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('lapse', 'expiry')),
  -- the lot's collect_by (lapse) or expires_at (expiry) when it was reminded
  deadline      timestamptz NOT NULL,
  -- what was at stake then: the lot's remaining credit
  amount_fen    bigint NOT NULL CHECK (amount_fen > 0),
  -- what the lot had already lost then (over the cap at collection): what it loses later is what expired
  lost_before_fen  bigint NOT NULL CHECK (lost_before_fen >= 0),
  reminded_at   timestamptz NOT NULL,
  PRIMARY KEY (merchant_id, lot_id, kind)
);
