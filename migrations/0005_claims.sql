-- Claims to money: submitted invoices, their timeline, the global invoice key, payouts.

-- Content-addressed files (invoice photos, PDF e-bills): the bytes live in the file store, named by
-- their sha-256; this row says what they are. Shared by claims that upload the same bytes.
CREATE TABLE stored_files (
  sha256      text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  media_type  text NOT NULL CHECK (media_type IN ('image/jpeg', 'image/png', 'image/webp', 'application/pdf')),
  size_bytes  integer NOT NULL CHECK (size_bytes > 0),
  stored_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE claims (
  merchant_id       bigint NOT NULL REFERENCES merchants (merchant_id),
  claim_id          uuid NOT NULL,
  status            text NOT NULL CHECK (status IN ('submitted', 'recognized', 'in_review', 'photo_requested', 'approved', 'paid', 'rejected')),
  submitted_at      timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  -- [{ "sha256", "mediaType", "sizeBytes", "role": "invoice" | "record", "phash" }]
  files             jsonb NOT NULL,
  recognition       jsonb,
  findings          jsonb,
  decision          text CHECK (decision IN ('approve', 'reject', 'review')),
  decided_by        text,
  reason_codes      text[] NOT NULL DEFAULT '{}',
  invoice_code      text,
  invoice_number    text,
  visit_date        date,
  hospital_id       text,
  covered_fen       bigint CHECK (covered_fen >= 0),
  benefit_fen       bigint CHECK (benefit_fen >= 0),
  paid_fen          bigint CHECK (paid_fen >= 0),
  phash             text CHECK (phash ~ '^[0-9a-f]{16}$'),
  PRIMARY KEY (merchant_id, claim_id),
  CHECK (status <> 'paid' OR paid_fen > 0),
  CHECK (paid_fen IS NULL OR paid_fen <= benefit_fen)
);
-- Staff read claims by id alone; the id is random, so this stays unique in practice without being global.
CREATE INDEX claims_by_id ON claims (claim_id);
CREATE INDEX claims_merchant_recent ON claims (merchant_id, submitted_at DESC, claim_id DESC);
CREATE INDEX claims_review_queue ON claims (submitted_at) WHERE status IN ('in_review', 'photo_requested');
-- near-duplicate photos are compared among claims for a visit on the same day
CREATE INDEX claims_phash_by_visit ON claims (visit_date) WHERE phash IS NOT NULL;

-- Every state change of a claim with its time and reason: the claim's timeline. Append-only.
CREATE TABLE claim_events (
  merchant_id   bigint NOT NULL,
  claim_id      uuid NOT NULL,
  event_no      integer NOT NULL CHECK (event_no >= 1),
  at            timestamptz NOT NULL DEFAULT clock_timestamp(),
  status        text NOT NULL,
  code          text NOT NULL,
  zh            text NOT NULL,
  en            text NOT NULL,
  details       jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (merchant_id, claim_id, event_no),
  FOREIGN KEY (merchant_id, claim_id) REFERENCES claims (merchant_id, claim_id)
);
CREATE FUNCTION claim_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'claim_events is append-only';
END $$;
CREATE TRIGGER claim_events_append_only BEFORE UPDATE OR DELETE ON claim_events FOR EACH ROW EXECUTE FUNCTION claim_events_append_only();

-- Each invoice (code + number) is reimbursed at most once across all merchants. Global on purpose:
-- a small table of its own (DESIGN.md §4), written when a claim for it is approved.
CREATE TABLE invoice_claims (
  invoice_code    text NOT NULL CHECK (invoice_code ~ '^[0-9A-Za-z]{1,20}$'),
  invoice_number  text NOT NULL CHECK (invoice_number ~ '^[0-9A-Za-z]{1,20}$'),
  merchant_id     bigint NOT NULL,
  claim_id        uuid NOT NULL,
  claimed_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (invoice_code, invoice_number),
  UNIQUE (merchant_id, claim_id)
);

-- One payout per approved claim; out_biz_no = payout_id. `sending` is written and committed before
-- the gateway is called, so after a crash we know a request may have left and must query first.
CREATE TABLE payouts (
  merchant_id        bigint NOT NULL,
  payout_id          text NOT NULL CHECK (payout_id ~ '^[0-9A-Za-z]{8,64}$'),
  claim_id           uuid NOT NULL,
  amount_fen         bigint NOT NULL CHECK (amount_fen > 0),
  payee_user_id      text NOT NULL,
  reserve_id         uuid NOT NULL,
  state              text NOT NULL CHECK (state IN ('ready', 'sending', 'unknown', 'succeeded', 'failed')),
  attempts           integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  gateway_order_id   text,
  failure_code       text,
  failure_message    text,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  settled_at         timestamptz,
  PRIMARY KEY (merchant_id, payout_id),
  FOREIGN KEY (merchant_id, claim_id) REFERENCES claims (merchant_id, claim_id),
  CHECK ((state IN ('succeeded', 'failed')) = (settled_at IS NOT NULL)),
  CHECK (state <> 'succeeded' OR gateway_order_id IS NOT NULL)
);
-- a claim is paid at most once: one payout in flight or succeeded (a failed one may be followed by another)
CREATE UNIQUE INDEX payouts_one_live_per_claim ON payouts (merchant_id, claim_id) WHERE state <> 'failed';
CREATE INDEX payouts_unsettled ON payouts (updated_at) WHERE state NOT IN ('succeeded', 'failed');

-- What the merchant is told (claim status, expiring credit); the app shows them live.
CREATE TABLE merchant_notifications (
  merchant_id      bigint NOT NULL,
  notification_id  bigint GENERATED ALWAYS AS IDENTITY,
  at               timestamptz NOT NULL DEFAULT now(),
  kind             text NOT NULL,
  claim_id         uuid,
  zh               text NOT NULL,
  en               text NOT NULL,
  read_at          timestamptz,
  PRIMARY KEY (merchant_id, notification_id)
);

-- Operators' list of things that need a person: reconciliation mismatches, dead jobs.
CREATE TABLE operator_alerts (
  alert_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at           timestamptz NOT NULL DEFAULT now(),
  kind         text NOT NULL,
  subject      text NOT NULL,
  details      jsonb NOT NULL DEFAULT '{}',
  resolved_at  timestamptz,
  UNIQUE (kind, subject)
);
