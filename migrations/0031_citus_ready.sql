-- Ready for Citus (DESIGN.md §4, docs/sharding.md). Citus runs a distributed table's triggers on each
-- shard, where a transition table's rows are not and another merchant's rows may be on another node;
-- it refuses a unique key of a distributed table that lacks the distribution column. So no statement
-- trigger here reads another table through a transition table, and every guarantee those triggers
-- kept is kept in the merchant's own shard, row by row (a merchant's rows of every table are
-- co-located, so these look-ups stay on one node), or by the application in the same transaction.

-- A merchant's accrual row: opened by enrolment itself (merchants/store.ts), in the same transaction.
DROP TRIGGER merchants_open_accrual ON merchants;
DROP FUNCTION merchants_open_accrual();

-- An account names an enrolled merchant (or merchant 0, the programme), checked in the merchant's shard.
DROP TRIGGER ledger_accounts_merchant_exists ON ledger_accounts;
DROP FUNCTION ledger_accounts_check_merchants();
CREATE FUNCTION ledger_account_merchant_exists() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.merchant_id <> 0 AND NOT EXISTS (SELECT 1 FROM merchants m WHERE m.merchant_id = NEW.merchant_id) THEN
    RAISE EXCEPTION 'an account names unknown merchant %', NEW.merchant_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER ledger_accounts_merchant_exists AFTER INSERT ON ledger_accounts
  FOR EACH ROW EXECUTE FUNCTION ledger_account_merchant_exists();

-- A merchant with ledger accounts is never deleted, checked in the merchant's shard.
DROP TRIGGER merchants_keep_accounts ON merchants;
DROP FUNCTION merchants_keep_accounts();
CREATE FUNCTION merchant_keeps_accounts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.merchant_id = OLD.merchant_id) THEN
    RAISE EXCEPTION 'a merchant with ledger accounts cannot be deleted' USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN OLD;
END $$;
CREATE TRIGGER merchants_keep_accounts BEFORE DELETE ON merchants
  FOR EACH ROW EXECUTE FUNCTION merchant_keeps_accounts();

-- A transfer names accounts that exist: its merchant's own (looked up in its shard) or the
-- programme's (merchant 0: ids 1 to 5, opened by the migrations, never deleted). A merchant's
-- transfer never names another merchant's account: credit moves between a merchant and the programme.
DROP TRIGGER ledger_transfers_accounts_exist ON ledger_transfers;
DROP FUNCTION ledger_transfers_check_accounts();
CREATE FUNCTION ledger_transfer_accounts_exist() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  account bigint;
BEGIN
  FOREACH account IN ARRAY ARRAY[NEW.debit_account_id, NEW.credit_account_id] LOOP
    IF account / 8 = 0 THEN
      CONTINUE WHEN account BETWEEN 1 AND 5;
    ELSIF account / 8 = NEW.merchant_id THEN
      CONTINUE WHEN EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.merchant_id = NEW.merchant_id AND a.account_id = account);
    END IF;
    RAISE EXCEPTION 'a transfer names unknown account %', account USING ERRCODE = 'foreign_key_violation';
  END LOOP;
  RETURN NULL;
END $$;
CREATE TRIGGER ledger_transfers_accounts_exist AFTER INSERT ON ledger_transfers
  FOR EACH ROW EXECUTE FUNCTION ledger_transfer_accounts_exist();

-- Live notifications: announced by the application in the transaction that writes them
-- (notifications/announce.ts), on the node it is connected to: a trigger's pg_notify would fire on
-- the worker holding the shard, where nobody listens.
DROP TRIGGER merchant_notifications_announce ON merchant_notifications;
DROP FUNCTION merchant_notifications_announce();

-- invoice_claims is placed by its invoice; a key on (merchant_id, claim_id) cannot be kept across
-- shards. One invoice per claim is the approval's own rule (claims/pipeline.ts holds one key a claim).
ALTER TABLE invoice_claims DROP CONSTRAINT invoice_claims_merchant_id_claim_id_key;

-- Partitions are attached to tables with foreign keys to reference tables: on Citus that must go over
-- one connection per node (a placeholder setting on a PostgreSQL without Citus, where it does nothing).
ALTER FUNCTION carepoints_history_partitions(date) SET citus.multi_shard_modify_mode = 'sequential';
