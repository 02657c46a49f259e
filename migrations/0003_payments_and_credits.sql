-- Payments in, points out: rulesets, payments, per-day payer slots, credit lots, farming signals.

-- Versioned accrual rules; a version applies to payments made from its effective time on.
CREATE TABLE rulesets (
  ruleset_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name            text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9-]{1,40}$'),
  version         integer NOT NULL CHECK (version >= 1),
  effective_from  timestamptz NOT NULL,
  params          jsonb NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (name, version),
  UNIQUE (effective_from)
);

-- One row per trade: its latest known state. Notifications only move it forward (refunds grow,
-- closed stays closed), which makes every repeated notification a no-op.
CREATE TABLE payments (
  trade_no         text PRIMARY KEY CHECK (trade_no ~ '^[A-Za-z0-9_-]{1,64}$'),
  merchant_id      bigint REFERENCES merchants (merchant_id),  -- null: payee is not an enrolled merchant
  seller_id        text NOT NULL,
  buyer_id         text NOT NULL,
  out_trade_no     text,
  total_fen        bigint NOT NULL CHECK (total_fen > 0),
  refunded_fen     bigint NOT NULL DEFAULT 0 CHECK (refunded_fen >= 0 AND refunded_fen <= total_fen),
  status           text NOT NULL CHECK (status IN ('WAIT_BUYER_PAY', 'TRADE_SUCCESS', 'TRADE_FINISHED', 'TRADE_CLOSED')),
  paid_at          timestamptz,
  business_day     date,
  ruleset_id       bigint REFERENCES rulesets (ruleset_id),
  -- the accrual decision, taken once when the trade first succeeded
  outcome          text CHECK (outcome IN ('credited', 'small_payment', 'self_payment', 'repeat_payer', 'day_full', 'not_enrolled', 'refunded_before_success')),
  credit_fen       bigint NOT NULL DEFAULT 0 CHECK (credit_fen >= 0),
  welcome_fen      bigint NOT NULL DEFAULT 0 CHECK (welcome_fen >= 0),
  clawed_back_fen  bigint NOT NULL DEFAULT 0 CHECK (clawed_back_fen >= 0 AND clawed_back_fen <= credit_fen + welcome_fen),
  signals          text[] NOT NULL DEFAULT '{}',
  notify_id        text,
  received_at      timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_unmatched ON payments (received_at) WHERE merchant_id IS NULL;
CREATE INDEX payments_merchant_day ON payments (merchant_id, business_day) WHERE merchant_id IS NOT NULL;

-- The distinct payers that earned credit for a merchant on a business day (at most the rule's limit).
CREATE TABLE merchant_days (
  merchant_id    bigint NOT NULL REFERENCES merchants (merchant_id),
  business_day   date NOT NULL,
  payer_ids      text[] NOT NULL,
  PRIMARY KEY (merchant_id, business_day)
);

-- Per-merchant accrual state; its row lock serialises everything that changes a merchant's credit.
CREATE TABLE merchant_accrual (
  merchant_id         bigint PRIMARY KEY REFERENCES merchants (merchant_id),
  welcomed_trade_no   text,
  farming_signals     jsonb NOT NULL DEFAULT '{}'
);
INSERT INTO merchant_accrual (merchant_id) SELECT merchant_id FROM merchants;
CREATE FUNCTION merchants_open_accrual() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO merchant_accrual (merchant_id) SELECT merchant_id FROM new_merchants;
  RETURN NULL;
END $$;
CREATE TRIGGER merchants_open_accrual AFTER INSERT ON merchants
  REFERENCING NEW TABLE AS new_merchants FOR EACH STATEMENT EXECUTE FUNCTION merchants_open_accrual();

-- Each credit the merchant earned, from the payment that earned it to its end. Written only in the
-- transaction that writes its payment; the id is derived from (trade_no, kind), so the primary key
-- also keeps one lot per trade and kind. (No per-row foreign keys: lots are inserted thousands a
-- statement on the accrual hot path.)
CREATE TABLE credit_lots (
  lot_id          uuid PRIMARY KEY,  -- the id of the accrual transfer
  merchant_id     bigint NOT NULL,
  trade_no        text NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('payer', 'welcome')),
  amount_fen      bigint NOT NULL CHECK (amount_fen > 0),
  state           text NOT NULL CHECK (state IN ('pending', 'available', 'lapsed', 'expired', 'clawed_back', 'spent')),
  earned_at       timestamptz NOT NULL,
  collect_by      timestamptz NOT NULL,
  collected_at    timestamptz,
  expires_at      timestamptz,
  -- what is left to spend (available lots); spending draws oldest first
  remaining_fen   bigint NOT NULL CHECK (remaining_fen >= 0 AND remaining_fen <= amount_fen),
  CHECK (state = 'pending' OR state = 'lapsed' OR collected_at IS NOT NULL OR state = 'clawed_back'),
  CHECK (state <> 'available' OR (collected_at IS NOT NULL AND expires_at IS NOT NULL))
);
CREATE INDEX credit_lots_pending ON credit_lots (merchant_id, earned_at) WHERE state = 'pending';
CREATE INDEX credit_lots_available ON credit_lots (merchant_id, collected_at) WHERE state = 'available';
CREATE INDEX credit_lots_lapse_due ON credit_lots (collect_by) WHERE state = 'pending';
CREATE INDEX credit_lots_expiry_due ON credit_lots (expires_at) WHERE state = 'available';

-- Merchant-level points-farming signals per business day (recorded, not yet blocking).
CREATE TABLE payer_days (
  buyer_id       text NOT NULL,
  business_day   date NOT NULL,
  merchant_ids   bigint[] NOT NULL,
  PRIMARY KEY (buyer_id, business_day)
);

INSERT INTO rulesets (name, version, effective_from, params) VALUES (
  'classic-2019', 1, '2018-01-01T00:00:00+08:00',
  '{"creditPerPayerFen": 200, "payersPerDay": 10, "smallPaymentBelowFen": 10, "smallPaymentCreditFen": 1,
    "welcomeCreditFen": 200, "collectWindowHours": 48, "availableCapFen": 100000, "validityMonths": 6,
    "signals": {"fanOutMerchantsPerDay": 5, "nearThresholdMarginFen": 5, "oddHoursFrom": 1, "oddHoursTo": 5}}'
);
