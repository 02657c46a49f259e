-- The programme's accounts split by merchant bucket (src/ledger/programme-buckets.ts, docs/sharding.md).
-- One programme account of each kind made every batch of every merchant update the same row, on one
-- shard: on Citus each batch was a transaction across every worker serialised on that row. Now each
-- bucket of merchants has its own five programme accounts, under an anchor id placed in the bucket's
-- shard, so a merchant's transfers touch rows of its own shard only. Merchant 0's five accounts stay
-- (the programme's central accounts, for operators' adjustments and every transfer made before this).
--
-- A bucket is Citus's placement of a merchant_id hashed into 32 shards: hashint8 of the id, cut into
-- 32 equal ranges of the 32-bit hash space. The application computes the same (a test holds them
-- equal); the plan distributes `merchants` into exactly 32 shards.
CREATE FUNCTION programme_bucket(merchant bigint) RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT ((hashint8(merchant)::bigint + 2147483648) / 134217728)::int
$$;

-- Anchors: from 2^40 up (no merchant id reaches it), the first id of each bucket.
ALTER TABLE merchants ADD CONSTRAINT merchants_id_below_programme_anchors CHECK (merchant_id < 1099511627776);

-- the programme owns merchant 0's accounts and the anchors'; merchants own the rest
ALTER TABLE ledger_accounts DROP CONSTRAINT ledger_accounts_owner;
ALTER TABLE ledger_accounts ADD CONSTRAINT ledger_accounts_owner
  CHECK ((merchant_id <> 0 AND merchant_id < 1099511627776) = (kind LIKE 'merchant\_%'));

CREATE OR REPLACE FUNCTION ledger_account_merchant_exists() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.merchant_id >= 1099511627776 THEN
    IF NEW.merchant_id <> programme_anchor(NEW.merchant_id) THEN
      RAISE EXCEPTION 'account owner % is neither a merchant nor a programme anchor', NEW.merchant_id USING ERRCODE = 'foreign_key_violation';
    END IF;
  ELSIF NEW.merchant_id <> 0 AND NOT EXISTS (SELECT 1 FROM merchants m WHERE m.merchant_id = NEW.merchant_id) THEN
    RAISE EXCEPTION 'an account names unknown merchant %', NEW.merchant_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;

DO $$
DECLARE
  anchors bigint[];
BEGIN
  SELECT array_agg(anchor ORDER BY bucket) INTO anchors
    FROM (SELECT DISTINCT ON (programme_bucket(id)) programme_bucket(id) AS bucket, id AS anchor
            FROM generate_series(1099511627776::bigint, 1099511627776 + 100000) AS id
           ORDER BY programme_bucket(id), id) AS first_of_each;
  IF cardinality(anchors) <> 32 THEN
    RAISE EXCEPTION 'found % programme anchors, not 32', cardinality(anchors);
  END IF;
  -- an immutable look-up (no table read), so the transfer check stays in the merchant's shard
  EXECUTE format($f$CREATE FUNCTION programme_anchor(merchant bigint) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
    $body$ SELECT (%L::bigint[])[programme_bucket(merchant) + 1] $body$ $f$, anchors);
  INSERT INTO ledger_accounts (account_id, merchant_id, kind, debits_must_not_exceed_credits, credits_must_not_exceed_debits)
    SELECT ledger_account_id(anchor, kind), anchor, kind, false, false
      FROM unnest(anchors) AS anchor
      CROSS JOIN unnest(ARRAY['programme_funding', 'expired', 'lapsed', 'reimbursement_payable', 'catalogue_payable']) AS kind;
END $$;


-- A transfer names accounts that exist, checked in its merchant's shard: its merchant's own, its
-- merchant's bucket's programme accounts, or merchant 0's (ids 1 to 5). The programme's own
-- transfers (merchant 0) name programme accounts only. Programme accounts are opened by migrations
-- and never deleted, so their ids are checked by arithmetic.
CREATE OR REPLACE FUNCTION ledger_transfer_accounts_exist() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  account bigint;
  owner bigint;
BEGIN
  FOREACH account IN ARRAY ARRAY[NEW.debit_account_id, NEW.credit_account_id] LOOP
    owner := account / 8;
    IF owner = 0 OR (owner >= 1099511627776 AND (NEW.merchant_id = 0 OR owner = programme_anchor(NEW.merchant_id))) THEN
      CONTINUE WHEN account % 8 BETWEEN 1 AND 5 AND owner = (CASE WHEN owner = 0 THEN 0 ELSE programme_anchor(owner) END);
    ELSIF owner = NEW.merchant_id THEN
      CONTINUE WHEN EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.merchant_id = NEW.merchant_id AND a.account_id = account);
    END IF;
    RAISE EXCEPTION 'a transfer names unknown account %', account USING ERRCODE = 'foreign_key_violation';
  END LOOP;
  RETURN NULL;
END $$;
