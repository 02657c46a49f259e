-- Console staff: users with one role each, argon2id password hashes, and their browser sessions.

CREATE TABLE staff_users (
  staff_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- the sign-in name: lower-case, e.g. an e-mail address or a short handle
  username       text NOT NULL CHECK (username ~ '^[a-z0-9][a-z0-9._@-]{2,63}$'),
  display_name   text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 64),
  role           text NOT NULL CHECK (role IN ('admin', 'reviewer', 'analyst')),
  password_hash  text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
  created_at     timestamptz NOT NULL DEFAULT now(),
  disabled_at    timestamptz,
  CONSTRAINT staff_users_username_key UNIQUE (username)
);

-- Like auth_sessions: only the token's sha-256 is kept; the CSRF token is derived from the cookie.
CREATE TABLE staff_sessions (
  session_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  staff_id     bigint NOT NULL REFERENCES staff_users (staff_id),
  token_hash   text NOT NULL CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  created_at   timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL,
  revoked_at   timestamptz,
  ip           text NOT NULL CHECK (char_length(ip) BETWEEN 1 AND 64),
  CONSTRAINT staff_sessions_token_hash_key UNIQUE (token_hash),
  CHECK (expires_at > created_at),
  CHECK (revoked_at IS NULL OR revoked_at >= created_at)
);
CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id, created_at DESC);
