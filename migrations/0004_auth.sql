-- Merchant sign-in: one-time codes, their rate limits, sessions; and the append-only audit log.

-- Sign-in looks merchants up by phone (a phone may, rarely, be enrolled for more than one merchant).
CREATE INDEX merchants_phone ON merchants (phone);

-- At most one live code per phone: a new code replaces the old one. Only a keyed hash of the code is
-- kept. Phones of no enrolled merchant get a row too (a code nobody is sent), so that every answer
-- about a phone is the same whether or not it is enrolled. A used code's row is deleted.
CREATE TABLE auth_otp_codes (
  phone            text PRIMARY KEY CHECK (phone ~ '^1[3-9][0-9]{9}$'),
  code_hash        text NOT NULL CHECK (code_hash ~ '^[0-9a-f]{64}$'),
  created_at       timestamptz NOT NULL,
  expires_at       timestamptz NOT NULL,
  -- wrong tries so far; at 5 the code is dead (the database refuses a sixth)
  failed_attempts  smallint NOT NULL DEFAULT 0 CHECK (failed_attempts BETWEEN 0 AND 5),
  CHECK (expires_at > created_at)
);

-- Rate-limit events shared by every API process: a sliding log, one row per counted event.
--   otp_phone  a code requested for a phone      otp_ip      a code requested from an address
--   sign_in_ip a failed sign-in from an address
CREATE TABLE auth_rate_events (
  event_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  scope     text NOT NULL CHECK (scope IN ('otp_phone', 'otp_ip', 'sign_in_ip')),
  key       text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 64),
  at        timestamptz NOT NULL
);
CREATE INDEX auth_rate_events_key ON auth_rate_events (scope, key, at DESC);
CREATE INDEX auth_rate_events_at ON auth_rate_events (at);

-- Merchant sessions: a browser cookie or a bearer token, stored as the token's sha-256 only.
CREATE TABLE auth_sessions (
  session_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  merchant_id  bigint NOT NULL REFERENCES merchants (merchant_id),
  token_hash   text NOT NULL CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  client       text NOT NULL CHECK (client IN ('browser', 'api')),
  created_at   timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL,
  revoked_at   timestamptz,
  -- the address that signed in
  ip           text NOT NULL CHECK (char_length(ip) BETWEEN 1 AND 64),
  CONSTRAINT auth_sessions_token_hash_key UNIQUE (token_hash),
  CHECK (expires_at > created_at),
  CHECK (revoked_at IS NULL OR revoked_at >= created_at)
);
CREATE INDEX auth_sessions_merchant ON auth_sessions (merchant_id, created_at DESC);

-- Development only: what the development SMS provider "sent" (read by GET /v1/dev/otp, which exists
-- only in development builds). Production never writes here.
CREATE TABLE dev_sms_outbox (
  message_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  phone       text NOT NULL CHECK (phone ~ '^1[3-9][0-9]{9}$'),
  text        text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 500),
  sent_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dev_sms_outbox_phone ON dev_sms_outbox (phone, message_id DESC);

-- Everything a person or system changes: append-only (rows are never updated or deleted).
CREATE TABLE audit_log (
  audit_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at            timestamptz NOT NULL DEFAULT now(),
  actor_kind    text NOT NULL CHECK (actor_kind IN ('merchant', 'staff', 'system', 'anonymous')),
  -- merchant id, staff "role:key id", system component, or the address of an anonymous caller
  actor_id      text CHECK (char_length(actor_id) BETWEEN 1 AND 200),
  action        text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$' AND char_length(action) <= 100),
  subject_kind  text CHECK (subject_kind ~ '^[a-z][a-z0-9_]{0,39}$'),
  subject_id    text CHECK (char_length(subject_id) BETWEEN 1 AND 200),
  details       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(details) = 'object'),
  CHECK ((subject_kind IS NULL) = (subject_id IS NULL))
);
CREATE INDEX audit_log_subject ON audit_log (subject_kind, subject_id, at DESC);
CREATE INDEX audit_log_actor ON audit_log (actor_kind, actor_id, at DESC);

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
