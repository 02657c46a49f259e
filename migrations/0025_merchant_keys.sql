-- Keys that shard (DESIGN.md §4), for the merchants themselves and their sessions.
--
-- A wallet and a resident ID enrol one merchant across the whole programme. That uniqueness cannot
-- live on `merchants` once it is distributed by merchant_id: two small global-key tables keep it (as
-- trade_numbers does for trades) and say which merchant holds the wallet or the ID. No foreign keys to
-- merchants: a distributed database places them by their own key, apart from the merchant's rows.
CREATE TABLE merchant_wallets (
  wallet_user_id  text PRIMARY KEY CHECK (wallet_user_id ~ '^2088[0-9]{12}$'),
  merchant_id     bigint NOT NULL
);
CREATE TABLE merchant_identities (
  id_number_hash  text PRIMARY KEY CHECK (id_number_hash ~ '^[0-9a-f]{64}$'),
  merchant_id     bigint NOT NULL
);
INSERT INTO merchant_wallets SELECT wallet_user_id, merchant_id FROM merchants;
INSERT INTO merchant_identities SELECT id_number_hash, merchant_id FROM merchants;
ALTER TABLE merchants DROP CONSTRAINT merchants_wallet_user_id_key, DROP CONSTRAINT merchants_id_number_hash_key;

-- A merchant session is the merchant's: keyed by it. Its token names the merchant
-- (`<merchant id>.<random>`), so a lookup goes straight to the merchant's rows with no table of
-- tokens. Tokens of the earlier form name no merchant and are no longer accepted: their holders
-- sign in again.
ALTER TABLE auth_sessions
  DROP CONSTRAINT auth_sessions_token_hash_key,
  DROP CONSTRAINT auth_sessions_pkey,
  ADD PRIMARY KEY (merchant_id, session_id),
  ADD CONSTRAINT auth_sessions_token_hash_key UNIQUE (merchant_id, token_hash);
