-- One truth for credit (DESIGN.md): the ledger's merchant balances are the money; credit lots say
-- where each fen came from and when it lapses or expires. Their agreement is enforced here, at commit,
-- for every merchant a transaction touched, whatever code path (or hand-written SQL) moved the credit.

-- Credit that left a lot without being spent or given back: over the available cap at collection,
-- lapsed uncollected, or expired. A refund of the lot's trade forgives this much instead of taking
-- it from the merchant's other lots.
ALTER TABLE credit_lots ADD COLUMN lost_fen bigint NOT NULL DEFAULT 0;
UPDATE credit_lots SET lost_fen = amount_fen - remaining_fen WHERE state IN ('lapsed', 'expired');
ALTER TABLE credit_lots ADD CONSTRAINT credit_lots_lost_within_amount CHECK (lost_fen >= 0 AND lost_fen + remaining_fen <= amount_fen);

CREATE FUNCTION assert_credit_lots_match_ledger(merchant bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  lots_pending bigint;
  lots_available bigint;
  ledger_pending bigint;
  ledger_available bigint;
BEGIN
  -- one query per state, so that each reads its partial index (credit_lots_pending, credit_lots_available)
  SELECT coalesce(sum(remaining_fen), 0) INTO lots_pending FROM credit_lots WHERE merchant_id = merchant AND state = 'pending';
  SELECT coalesce(sum(remaining_fen), 0) INTO lots_available FROM credit_lots WHERE merchant_id = merchant AND state = 'available';
  SELECT coalesce(sum(credits_posted - debits_posted) FILTER (WHERE kind = 'merchant_pending'), 0),
         coalesce(sum(credits_posted - debits_posted) FILTER (WHERE kind = 'merchant_available'), 0)
    INTO ledger_pending, ledger_available
    FROM ledger_accounts WHERE merchant_id = merchant AND kind IN ('merchant_pending', 'merchant_available');
  IF lots_pending <> ledger_pending OR lots_available <> ledger_available THEN
    RAISE EXCEPTION 'credit lots of merchant % disagree with the ledger: pending % in lots, % in the ledger; available % in lots, % in the ledger',
      merchant, lots_pending, ledger_pending, lots_available, ledger_available
      USING ERRCODE = 'CP001', HINT = 'merchant credit moves only through accrual, collection, sweeps, clawback and claims';
  END IF;
END $$;

CREATE FUNCTION credit_lots_match_ledger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM assert_credit_lots_match_ledger(NEW.merchant_id);
  RETURN NULL;
END $$;

-- Deferred: within a transaction the ledger and the lots move one statement after the other.
CREATE CONSTRAINT TRIGGER merchant_credit_matches_lots
  AFTER INSERT OR UPDATE ON ledger_accounts DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW WHEN (NEW.kind IN ('merchant_pending', 'merchant_available'))
  EXECUTE FUNCTION credit_lots_match_ledger();

-- A new lot always comes with its accrual transfer, which the trigger above checks; a lot that changes
-- is checked itself (once per statement and lot), so that no lot moves without the ledger.
CREATE CONSTRAINT TRIGGER credit_lots_match_merchant_credit
  AFTER UPDATE ON credit_lots DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW WHEN (OLD.remaining_fen IS DISTINCT FROM NEW.remaining_fen OR OLD.state IS DISTINCT FROM NEW.state)
  EXECUTE FUNCTION credit_lots_match_ledger();

-- A notification that fails however it is retried (a bug, a value the database refuses) is parked
-- here for operators instead of failing its neighbours or being redelivered for ever. Repeats of the
-- same notification count on one row.
CREATE TABLE parked_notifications (
  parked_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  trade_no       text NOT NULL,
  source         text NOT NULL CHECK (source IN ('webhook', 'batch', 'jetstream')),
  notification   jsonb NOT NULL,
  fingerprint    text NOT NULL,
  error          text NOT NULL,
  times          integer NOT NULL DEFAULT 1 CHECK (times > 0),
  first_parked_at timestamptz NOT NULL DEFAULT now(),
  last_parked_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (fingerprint)
);
CREATE INDEX parked_notifications_recent ON parked_notifications (last_parked_at DESC, parked_id DESC);

-- Named rulesets: a version governs payments only when adopted. Versions of the name in force are
-- adopted when published; another name is an alternative (for the simulator's comparisons) until
-- it is adopted explicitly. Two adopted versions cannot take effect at the same instant.
ALTER TABLE rulesets ADD COLUMN adopted boolean NOT NULL DEFAULT true;
ALTER TABLE rulesets ALTER COLUMN adopted DROP DEFAULT;
ALTER TABLE rulesets DROP CONSTRAINT rulesets_effective_from_key;
ALTER TABLE rulesets ADD CONSTRAINT rulesets_name_effective_from_key UNIQUE (name, effective_from);
CREATE UNIQUE INDEX rulesets_adopted_effective_from_key ON rulesets (effective_from) WHERE adopted;

-- Idempotency keys live a day (src/http/idempotency.ts); the pruner finds the old ones by age.
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
