-- The ledger's history by business day (Asia/Shanghai), as the payments' (migration 0022), and keyed by
-- merchant (DESIGN.md §4).
--
-- ledger_transfers: one partition a day, keyed (merchant_id, seq, history_day), the key that also
--   serves a merchant's history pages. merchant_id 0 marks the programme's own transfers (between
--   programme accounts): they belong to no merchant and live together.
-- ledger_transfer_ids: the global key. A transfer id is an idempotency key across the whole ledger;
--   this table keeps it unique and says where the transfer lives (merchant, day, seq). One partition a
--   quarter, so that a lookup by id probes a few partitions, not one a day. (Two transactions making
--   the same new id at once on either side of a quarter's first midnight would both succeed; within a
--   quarter the key refuses the second.)
-- A day's transfers touch only that day's partition and the quarter's ids: the indexes a batch
-- writes stay the size of a day (or a quarter), however long the history grows. The ledger is kept
-- whole (accounting records are kept for decades): an old partition is archived by detaching it,
-- never by deleting rows, and balances do not depend on it (they are running totals).

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
  transfer_id      uuid NOT NULL,
  history_quarter  date NOT NULL,
  merchant_id      bigint NOT NULL CHECK (merchant_id >= 0),
  seq              bigint NOT NULL,
  history_day      date NOT NULL,
  PRIMARY KEY (transfer_id, history_quarter),
  CHECK (history_quarter = date_trunc('quarter', history_day)::date)
) PARTITION BY RANGE (history_quarter);
CREATE TRIGGER ledger_transfer_ids_permanent BEFORE UPDATE OR DELETE OR TRUNCATE ON ledger_transfer_ids
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change('transfer ids are permanent');

-- The ledger cannot refuse a transfer for want of a partition: a day or quarter nobody made ahead (the
-- periodic work makes them days ahead, and every ledger transaction makes today's) lands in its
-- table's default partition, and stays there: making that day later is then skipped.
CREATE TABLE ledger_transfers_default PARTITION OF ledger_transfers DEFAULT;
CREATE TABLE ledger_transfer_ids_default PARTITION OF ledger_transfer_ids DEFAULT;
CREATE OR REPLACE FUNCTION carepoints_attach_partition(parent text, child text, from_day date, to_day date) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF to_regclass(child) IS NOT NULL THEN RETURN; END IF;
  BEGIN
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', child, parent);
    EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', parent, child, from_day, to_day);
  -- another process made it first (the name is then taken as a table, its row type or a catalog key),
  -- or the parent's default partition holds rows of that range already
  EXCEPTION WHEN duplicate_table OR duplicate_object OR unique_violation OR check_violation THEN NULL;
  END;
END $$;

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
  FOREACH parent IN ARRAY ARRAY['trade_numbers', 'unmatched_payments', 'ledger_transfer_ids'] LOOP
    PERFORM carepoints_attach_partition(parent, parent || '_q' || quarter_name, quarter_from, (quarter_from + interval '3 months')::date);
  END LOOP;
END $$;

-- the history so far moves into its partitions
SELECT carepoints_history_partitions(day)
  FROM (SELECT DISTINCT (created_at AT TIME ZONE 'Asia/Shanghai')::date AS day FROM ledger_transfers_unpartitioned) d;
INSERT INTO ledger_transfers (transfer_id, seq, debit_account_id, credit_account_id, amount_fen, code, phase, pending_id, timeout_s, merchant_id, reference, created_at, history_day)
  SELECT transfer_id, seq, debit_account_id, credit_account_id, amount_fen, code, phase, pending_id, timeout_s, coalesce(merchant_id, 0), reference, created_at,
         (created_at AT TIME ZONE 'Asia/Shanghai')::date
    FROM ledger_transfers_unpartitioned;
INSERT INTO ledger_transfer_ids (transfer_id, history_quarter, merchant_id, seq, history_day)
  SELECT transfer_id, date_trunc('quarter', history_day)::date, merchant_id, seq, history_day FROM ledger_transfers;
DROP TABLE ledger_transfers_unpartitioned;
