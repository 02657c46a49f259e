-- The planner is not to judge credit lots by a sample of their states. Pending lots live for their
-- collection window (two days) and the sweeps turn them into lapsed or available ones in bulk, so
-- what ANALYZE saw can be wrong within hours. Sampled just after a sweep, it says no lot is pending:
-- the planner then reads the whole of a pending-only partial index (the lapse sweep's, ordered by
-- collect_by) for one merchant's pending credit, instead of that merchant's entries in
-- credit_lots_pending, and the check run on every change of a merchant's credit
-- (assert_credit_lots_match_ledger) costs what every pending lot of the programme costs: measured
-- on 40,000 pending lots, ingestion ran at a fifth of its speed. Without statistics on the state the
-- planner assumes a small fixed share of lots in any one state, and the merchant-keyed index wins.
ALTER TABLE credit_lots ALTER COLUMN state SET STATISTICS 0;
-- ANALYZE leaves a column it no longer samples as it was, for ever: what it saw before goes now.
-- PostgreSQL 18 lets the table's owner clear it; before 18 only a superuser can, and a migration run
-- by the owner alone says so, with the statement for a superuser to run.
DO $$
DECLARE
  lots_schema text := (SELECT relnamespace::regnamespace::text FROM pg_class WHERE oid = 'credit_lots'::regclass);
BEGIN
  IF to_regprocedure('pg_clear_attribute_stats(text, text, text, boolean)') IS NOT NULL THEN
    PERFORM pg_clear_attribute_stats(lots_schema, 'credit_lots', 'state', false);
  ELSIF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    DELETE FROM pg_statistic s USING pg_attribute a
     WHERE s.starelid = 'credit_lots'::regclass AND a.attrelid = s.starelid AND a.attnum = s.staattnum AND a.attname = 'state';
  ELSE
    RAISE WARNING 'credit_lots.state keeps the statistics of its last ANALYZE; a superuser should run: %',
      format('DELETE FROM pg_statistic WHERE starelid = %L::regclass AND staattnum = (SELECT attnum FROM pg_attribute WHERE attrelid = %L::regclass AND attname = %L)',
             lots_schema || '.credit_lots', lots_schema || '.credit_lots', 'state');
  END IF;
END $$;
