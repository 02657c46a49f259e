-- The ledger keyed by merchant (DESIGN.md §4), and its history by business day (Asia/Shanghai), as the
-- payments' (migration 0022).
--
-- ledger_transfers: one partition a day, keyed (merchant_id, seq, history_day), the key that also
--   serves a merchant's history pages. merchant_id 0 marks the programme's own transfers (between
--   programme accounts): they belong to no merchant and live together.
-- ledger_transfer_ids: the global key. A transfer id is an idempotency key across the whole ledger,
--   for as long as the ledger is kept: this table keeps it unique (one key over every day, so two
--   transactions making the same new id, on whichever days, cannot both commit) and says where the
--   transfer lives (merchant, day, seq), so a look-up reads only the days it names.
-- A day's transfers go only to that day's partition: its indexes stay the size of a day however long
-- the history grows. The ledger is kept whole (accounting records are kept for decades): an old day
-- is archived by detaching its partition, never by deleting rows, and balances do not depend on it
-- (they are running totals). A day's partition is made before any transaction writes to it (the
-- periodic work makes them days ahead; every ledger transaction makes yesterday's, today's and
-- tomorrow's). There is no default partition: attaching a day would then lock it, and every ledger
-- transaction with it.

-- Accounts are keyed by merchant too, and an account's id carries its merchant: merchant id × 8 + the
-- code of its kind (ledger_account_id, held by a CHECK). A transfer names its accounts by id alone,
-- and they are still read by key. The programme's own accounts are merchant 0's: ids 1 to 5, the ids
-- the first four had already. (Not a generated column: PostgreSQL then rewrites the key's index
-- entries on every balance update, which costs five times an update that stays on its page.) An
-- account's merchant is checked once per statement: a foreign key cannot name merchant 0, no merchant.
CREATE FUNCTION ledger_account_id(merchant bigint, kind text) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT merchant * 8 + CASE kind
    WHEN 'programme_funding' THEN 1 WHEN 'expired' THEN 2 WHEN 'lapsed' THEN 3
    WHEN 'reimbursement_payable' THEN 4 WHEN 'catalogue_payable' THEN 5
    WHEN 'merchant_pending' THEN 1 WHEN 'merchant_available' THEN 2 WHEN 'merchant_debt' THEN 3 END
$$;
ALTER TABLE ledger_accounts RENAME CONSTRAINT ledger_accounts_pkey TO ledger_accounts_unkeyed_pkey;
DROP INDEX ledger_accounts_merchant_kind, ledger_accounts_programme_kind;
ALTER TABLE ledger_accounts RENAME TO ledger_accounts_unkeyed;
CREATE TABLE ledger_accounts (
  account_id        bigint NOT NULL,
  merchant_id       bigint NOT NULL CHECK (merchant_id >= 0),
  kind              text NOT NULL CONSTRAINT ledger_accounts_kind_check CHECK (kind IN (
                      'programme_funding', 'expired', 'lapsed', 'reimbursement_payable', 'catalogue_payable',
                      'merchant_pending', 'merchant_available', 'merchant_debt')),
  debits_pending    bigint NOT NULL DEFAULT 0 CHECK (debits_pending >= 0),
  debits_posted     bigint NOT NULL DEFAULT 0 CHECK (debits_posted >= 0),
  credits_pending   bigint NOT NULL DEFAULT 0 CHECK (credits_pending >= 0),
  credits_posted    bigint NOT NULL DEFAULT 0 CHECK (credits_posted >= 0),
  debits_must_not_exceed_credits  boolean NOT NULL,
  credits_must_not_exceed_debits  boolean NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (merchant_id, account_id),
  CONSTRAINT ledger_accounts_merchant_kind UNIQUE (merchant_id, kind),
  CONSTRAINT ledger_accounts_id_carries_merchant CHECK (account_id = ledger_account_id(merchant_id, kind)),
  CONSTRAINT ledger_accounts_one_limit CHECK (NOT (debits_must_not_exceed_credits AND credits_must_not_exceed_debits)),
  CONSTRAINT ledger_accounts_debits_within_credits
    CHECK (NOT debits_must_not_exceed_credits OR debits_pending + debits_posted <= credits_posted),
  CONSTRAINT ledger_accounts_credits_within_debits
    CHECK (NOT credits_must_not_exceed_debits OR credits_pending + credits_posted <= debits_posted),
  CONSTRAINT ledger_accounts_merchant_credit_limited
    CHECK (kind NOT IN ('merchant_pending', 'merchant_available') OR debits_must_not_exceed_credits),
  CONSTRAINT ledger_accounts_merchant_debt_limited
    CHECK (kind <> 'merchant_debt' OR credits_must_not_exceed_debits),
  CONSTRAINT ledger_accounts_owner CHECK ((merchant_id <> 0) = (kind LIKE 'merchant\_%')),
  CONSTRAINT ledger_accounts_debits_within_limit CHECK (debits_pending + debits_posted <= 1000000000000000),
  CONSTRAINT ledger_accounts_credits_within_limit CHECK (credits_pending + credits_posted <= 1000000000000000)
) WITH (fillfactor = 50); -- room on each page for HOT updates: balances change on every batch
CREATE TRIGGER ledger_accounts_never_deleted BEFORE DELETE OR TRUNCATE ON ledger_accounts
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change('ledger accounts are permanent');
CREATE TRIGGER ledger_accounts_identity_fixed
  BEFORE UPDATE OF account_id, merchant_id, kind, debits_must_not_exceed_credits, credits_must_not_exceed_debits ON ledger_accounts
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change('an account keeps its owner, kind and limits');
CREATE FUNCTION ledger_accounts_check_merchants() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  missing bigint;
BEGIN
  SELECT n.merchant_id INTO missing FROM new_accounts n
   WHERE n.merchant_id <> 0 AND NOT EXISTS (SELECT 1 FROM merchants m WHERE m.merchant_id = n.merchant_id)
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'an account names unknown merchant %', missing USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER ledger_accounts_merchant_exists AFTER INSERT ON ledger_accounts
  REFERENCING NEW TABLE AS new_accounts
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_accounts_check_merchants();
-- Merchants are never deleted while they hold accounts (accounts are permanent).
CREATE FUNCTION merchants_keep_accounts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM old_merchants o JOIN ledger_accounts a ON a.merchant_id = o.merchant_id) THEN
    RAISE EXCEPTION 'a merchant with ledger accounts cannot be deleted' USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER merchants_keep_accounts AFTER DELETE ON merchants
  REFERENCING OLD TABLE AS old_merchants
  FOR EACH STATEMENT EXECUTE FUNCTION merchants_keep_accounts();

INSERT INTO ledger_accounts (account_id, merchant_id, kind, debits_pending, debits_posted, credits_pending, credits_posted,
                             debits_must_not_exceed_credits, credits_must_not_exceed_debits, created_at)
  SELECT ledger_account_id(coalesce(merchant_id, 0), kind), coalesce(merchant_id, 0), kind, debits_pending, debits_posted, credits_pending, credits_posted,
         debits_must_not_exceed_credits, credits_must_not_exceed_debits, created_at
    FROM ledger_accounts_unkeyed;
-- (made after the copy, which moves balances that agreed with the lots already)
CREATE CONSTRAINT TRIGGER merchant_credit_matches_lots
  AFTER INSERT OR UPDATE ON ledger_accounts DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW WHEN (NEW.kind IN ('merchant_pending', 'merchant_available'))
  EXECUTE FUNCTION credit_lots_match_ledger();
CREATE TEMP TABLE account_ids ON COMMIT DROP AS
  SELECT u.account_id AS old_id, a.account_id AS new_id
    FROM ledger_accounts_unkeyed u JOIN ledger_accounts a ON a.merchant_id = coalesce(u.merchant_id, 0) AND a.kind = u.kind;

-- a transfer's accounts are found by their key
CREATE OR REPLACE FUNCTION ledger_transfers_check_accounts() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  missing bigint;
BEGIN
  SELECT x.id INTO missing
    FROM (SELECT debit_account_id AS id FROM new_transfers UNION SELECT credit_account_id FROM new_transfers) x
   WHERE NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.merchant_id = x.id / 8 AND a.account_id = x.id)
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'a transfer names unknown account %', missing USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;

-- a pending transfer is no longer referenced by a foreign key: ledger_transfer_ids finds it
ALTER TABLE ledger_open_pending DROP CONSTRAINT ledger_open_pending_transfer_id_fkey;
ALTER TABLE ledger_transfers DROP CONSTRAINT ledger_transfers_pending_id_fkey;
DROP INDEX ledger_transfers_resolved_once, ledger_transfers_merchant_history;
ALTER TABLE ledger_transfers RENAME CONSTRAINT ledger_transfers_pkey TO ledger_transfers_unpartitioned_pkey;
ALTER TABLE ledger_transfers RENAME TO ledger_transfers_unpartitioned;

CREATE TABLE ledger_transfers (LIKE ledger_transfers_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS, history_day date NOT NULL)
  PARTITION BY RANGE (history_day);
ALTER TABLE ledger_transfers
  ALTER COLUMN merchant_id SET NOT NULL,
  ADD CONSTRAINT ledger_transfers_merchant_or_programme CHECK (merchant_id >= 0),
  ADD PRIMARY KEY (merchant_id, seq, history_day);
-- what resolved a pending transfer (the post or void names it): read only when it is no longer open
CREATE INDEX ledger_transfers_resolutions ON ledger_transfers (merchant_id, pending_id) WHERE pending_id IS NOT NULL;
-- Transfers are immutable: statements on the whole ledger, and rows of any one day's partition.
CREATE TRIGGER ledger_transfers_immutable BEFORE UPDATE OR DELETE OR TRUNCATE ON ledger_transfers
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change('ledger transfers are immutable');
CREATE TRIGGER ledger_transfers_immutable_rows BEFORE UPDATE OR DELETE ON ledger_transfers
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change('ledger transfers are immutable');
CREATE TRIGGER ledger_transfers_accounts_exist AFTER INSERT ON ledger_transfers
  REFERENCING NEW TABLE AS new_transfers
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_transfers_check_accounts();

CREATE TABLE ledger_transfer_ids (
  transfer_id  uuid PRIMARY KEY,
  merchant_id  bigint NOT NULL CHECK (merchant_id >= 0),
  seq          bigint NOT NULL,
  history_day  date NOT NULL
);
CREATE TRIGGER ledger_transfer_ids_permanent BEFORE UPDATE OR DELETE OR TRUNCATE ON ledger_transfer_ids
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change('transfer ids are permanent');

-- Parents are always taken in this order, so two processes making days at once cannot deadlock.
CREATE OR REPLACE FUNCTION carepoints_history_partitions(day date) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  quarter_from date := date_trunc('quarter', day)::date;
  quarter_name text := to_char(quarter_from, 'YYYY') || 'q' || to_char(quarter_from, 'Q');
  parent text;
BEGIN
  FOREACH parent IN ARRAY ARRAY['payments', 'merchant_days', 'payer_days', 'ledger_transfers'] LOOP
    PERFORM carepoints_attach_partition(parent, parent || '_d' || to_char(day, 'YYYYMMDD'), day, day + 1);
  END LOOP;
  FOREACH parent IN ARRAY ARRAY['trade_numbers', 'unmatched_payments'] LOOP
    PERFORM carepoints_attach_partition(parent, parent || '_q' || quarter_name, quarter_from, (quarter_from + interval '3 months')::date);
  END LOOP;
END $$;

-- the history so far moves into its partitions (the ledger's only: the payments' days are theirs)
SELECT carepoints_attach_partition('ledger_transfers', 'ledger_transfers_d' || to_char(day, 'YYYYMMDD'), day, day + 1)
  FROM (SELECT DISTINCT (created_at AT TIME ZONE 'Asia/Shanghai')::date AS day FROM ledger_transfers_unpartitioned) d;
INSERT INTO ledger_transfers (transfer_id, seq, debit_account_id, credit_account_id, amount_fen, code, phase, pending_id, timeout_s, merchant_id, reference, created_at, history_day)
  SELECT t.transfer_id, t.seq, d.new_id, c.new_id, t.amount_fen, t.code, t.phase, t.pending_id, t.timeout_s, coalesce(t.merchant_id, 0), t.reference, t.created_at,
         (t.created_at AT TIME ZONE 'Asia/Shanghai')::date
    FROM ledger_transfers_unpartitioned t
    JOIN account_ids d ON d.old_id = t.debit_account_id
    JOIN account_ids c ON c.old_id = t.credit_account_id;
INSERT INTO ledger_transfer_ids (transfer_id, merchant_id, seq, history_day)
  SELECT transfer_id, merchant_id, seq, history_day FROM ledger_transfers;
DROP TABLE ledger_transfers_unpartitioned, ledger_accounts_unkeyed;
