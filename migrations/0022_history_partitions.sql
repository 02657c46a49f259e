-- History partitioned by business day (Asia/Shanghai), so that retention drops whole partitions and
-- never deletes rows, and a day's writes touch only that day's tables and indexes.
--
-- A trade's history day is the business day of its payment (or, for a trade first seen unpaid, of the
-- batch that first stored it) and never changes: it is part of the key, carried from the stored row.
-- (A merchant's trades are decided under the merchant's lock, so one batch at a time stores a trade.
-- A payment to a payee that is not enrolled has no such lock: two batches storing the same one at
-- once around midnight, one seeing it unpaid and one paid, can keep it under two days. It has no
-- effect on credit; the unmatched list then shows it twice.)
-- payments, merchant_days and payer_days: one partition a day. trade_numbers and unmatched_payments
-- are looked up by trade number alone, which probes every partition: one a quarter keeps that to a few.
-- Partitions are made ahead by the periodic work and, for any other day, before the batch that needs
-- them, by carepoints_history_partitions.

-- A table of its own, then attached: ATTACH takes only SHARE UPDATE EXCLUSIVE on the parent, so the
-- batches reading and writing the history go on meanwhile (CREATE TABLE ... PARTITION OF would take
-- ACCESS EXCLUSIVE and queue every batch behind the longest open one). The attach builds the parent's
-- indexes and foreign keys on the new, empty table.
CREATE FUNCTION carepoints_attach_partition(parent text, child text, from_day date, to_day date) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF to_regclass(child) IS NOT NULL THEN RETURN; END IF;
  BEGIN
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', child, parent);
    EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', parent, child, from_day, to_day);
  -- another process made it first (the name is then taken as a table, its row type or a catalog key)
  EXCEPTION WHEN duplicate_table OR duplicate_object OR unique_violation THEN NULL;
  END;
END $$;

-- Parents are always taken in this order, so two processes making days at once cannot deadlock.
CREATE FUNCTION carepoints_history_partitions(day date) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  quarter_from date := date_trunc('quarter', day)::date;
  quarter_name text := to_char(quarter_from, 'YYYY') || 'q' || to_char(quarter_from, 'Q');
  parent text;
BEGIN
  FOREACH parent IN ARRAY ARRAY['payments', 'merchant_days', 'payer_days'] LOOP
    PERFORM carepoints_attach_partition(parent, parent || '_d' || to_char(day, 'YYYYMMDD'), day, day + 1);
  END LOOP;
  FOREACH parent IN ARRAY ARRAY['trade_numbers', 'unmatched_payments'] LOOP
    PERFORM carepoints_attach_partition(parent, parent || '_q' || quarter_name, quarter_from, (quarter_from + interval '3 months')::date);
  END LOOP;
END $$;

-- index names are the schema's: the old tables give theirs up
DROP INDEX payments_merchant_day, unmatched_payments_received;
ALTER TABLE payments RENAME CONSTRAINT payments_pkey TO payments_unpartitioned_pkey;
ALTER TABLE unmatched_payments RENAME CONSTRAINT unmatched_payments_pkey TO unmatched_payments_unpartitioned_pkey;
ALTER TABLE trade_numbers RENAME CONSTRAINT trade_numbers_pkey TO trade_numbers_unpartitioned_pkey;
ALTER TABLE merchant_days RENAME CONSTRAINT merchant_days_pkey TO merchant_days_unpartitioned_pkey;
ALTER TABLE payer_days RENAME CONSTRAINT payer_days_pkey TO payer_days_unpartitioned_pkey;
ALTER TABLE payments RENAME TO payments_unpartitioned;
ALTER TABLE merchant_days RENAME TO merchant_days_unpartitioned;
ALTER TABLE payer_days RENAME TO payer_days_unpartitioned;
ALTER TABLE trade_numbers RENAME TO trade_numbers_unpartitioned;
ALTER TABLE unmatched_payments RENAME TO unmatched_payments_unpartitioned;

CREATE TABLE payments (LIKE payments_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS, history_day date NOT NULL) PARTITION BY RANGE (history_day);
ALTER TABLE payments ADD PRIMARY KEY (merchant_id, trade_no, history_day),
  ADD FOREIGN KEY (merchant_id) REFERENCES merchants (merchant_id),
  ADD FOREIGN KEY (ruleset_id) REFERENCES rulesets (ruleset_id);
CREATE INDEX payments_merchant_day ON payments (merchant_id, business_day);

CREATE TABLE unmatched_payments (LIKE unmatched_payments_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS, history_day date NOT NULL) PARTITION BY RANGE (history_day);
ALTER TABLE unmatched_payments ADD PRIMARY KEY (trade_no, history_day);
CREATE INDEX unmatched_payments_received ON unmatched_payments (received_at);

CREATE TABLE trade_numbers (
  trade_no     text NOT NULL,
  merchant_id  bigint NOT NULL,
  history_day  date NOT NULL,
  PRIMARY KEY (trade_no, history_day)
) PARTITION BY RANGE (history_day);

CREATE TABLE merchant_days (
  merchant_id    bigint NOT NULL REFERENCES merchants (merchant_id),
  business_day   date NOT NULL,
  payer_ids      text[] NOT NULL,
  PRIMARY KEY (merchant_id, business_day)
) PARTITION BY RANGE (business_day);

CREATE TABLE payer_days (
  buyer_id       text NOT NULL,
  business_day   date NOT NULL,
  merchant_ids   bigint[] NOT NULL,
  PRIMARY KEY (buyer_id, business_day)
) PARTITION BY RANGE (business_day);

-- the history so far moves into its partitions
CREATE TEMP TABLE history_days ON COMMIT DROP AS
  SELECT coalesce(business_day, (received_at AT TIME ZONE 'Asia/Shanghai')::date) AS day, trade_no, merchant_id FROM payments_unpartitioned;
SELECT carepoints_history_partitions(day)
  FROM (SELECT day FROM history_days
        UNION SELECT coalesce(business_day, (received_at AT TIME ZONE 'Asia/Shanghai')::date) FROM unmatched_payments_unpartitioned
        UNION SELECT business_day FROM merchant_days_unpartitioned
        UNION SELECT business_day FROM payer_days_unpartitioned) d;
INSERT INTO payments SELECT p.*, coalesce(p.business_day, (p.received_at AT TIME ZONE 'Asia/Shanghai')::date) FROM payments_unpartitioned p;
INSERT INTO unmatched_payments SELECT p.*, coalesce(p.business_day, (p.received_at AT TIME ZONE 'Asia/Shanghai')::date) FROM unmatched_payments_unpartitioned p;
INSERT INTO trade_numbers SELECT trade_no, merchant_id, day FROM history_days;
INSERT INTO merchant_days SELECT * FROM merchant_days_unpartitioned;
INSERT INTO payer_days SELECT * FROM payer_days_unpartitioned;
DROP TABLE payments_unpartitioned, unmatched_payments_unpartitioned, trade_numbers_unpartitioned, merchant_days_unpartitioned, payer_days_unpartitioned;

-- Payments before this day are no longer kept (retention drops them a quarter at a time): a
-- notification about a trade paid before it cannot be judged against its history and has no effect.
CREATE TABLE history_horizon (
  singleton      boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  retained_from  date NOT NULL
);
INSERT INTO history_horizon (retained_from) VALUES ('2000-01-01');
