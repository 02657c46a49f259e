-- The catalogue: other services merchants may spend credit on (DESIGN.md §1: points, not insurance).
-- Items are reference data managed by console admins; orders are merchant-owned and each one spends
-- credit through the points capability (one posted transfer, lots drawn oldest first).

CREATE TABLE catalogue_items (
  item_id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- a stable handle for staff and imports, e.g. `eye-exam`
  sku             text NOT NULL CHECK (sku ~ '^[a-z0-9][a-z0-9-]{1,39}$'),
  name_zh         text NOT NULL CHECK (char_length(name_zh) BETWEEN 1 AND 60),
  name_en         text NOT NULL CHECK (char_length(name_en) BETWEEN 1 AND 60),
  description_zh  text NOT NULL DEFAULT '' CHECK (char_length(description_zh) <= 400),
  description_en  text NOT NULL DEFAULT '' CHECK (char_length(description_en) <= 400),
  -- at most the available cap: nothing dearer could ever be bought
  price_fen       bigint NOT NULL CHECK (price_fen BETWEEN 1 AND 100000),
  active          boolean NOT NULL DEFAULT true,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT catalogue_items_sku_key UNIQUE (sku)
);

CREATE TABLE catalogue_orders (
  merchant_id     bigint NOT NULL REFERENCES merchants (merchant_id),
  order_id        uuid NOT NULL,
  item_id         bigint NOT NULL REFERENCES catalogue_items (item_id),
  quantity        integer NOT NULL CHECK (quantity BETWEEN 1 AND 10),
  -- the price and names as they were when ordered: an item's later edits do not rewrite history
  unit_price_fen  bigint NOT NULL CHECK (unit_price_fen > 0),
  amount_fen      bigint NOT NULL CHECK (amount_fen = unit_price_fen * quantity),
  item_name_zh    text NOT NULL,
  item_name_en    text NOT NULL,
  transfer_id     uuid NOT NULL,
  created_at      timestamptz NOT NULL,
  PRIMARY KEY (merchant_id, order_id),
  CONSTRAINT catalogue_orders_transfer_key UNIQUE (merchant_id, transfer_id)
);
CREATE INDEX catalogue_orders_recent ON catalogue_orders (merchant_id, created_at DESC, order_id DESC);

-- Where spent catalogue credit goes: the programme owes the service to its provider.
ALTER TABLE ledger_accounts DROP CONSTRAINT ledger_accounts_kind_check;
ALTER TABLE ledger_accounts ADD CONSTRAINT ledger_accounts_kind_check CHECK (kind IN (
  'programme_funding', 'expired', 'lapsed', 'reimbursement_payable', 'catalogue_payable',
  'merchant_pending', 'merchant_available', 'merchant_debt'));
INSERT INTO ledger_accounts (kind, debits_must_not_exceed_credits, credits_must_not_exceed_debits) VALUES ('catalogue_payable', false, false);
