-- Keys that shard (DESIGN.md §4): a merchant-owned table is keyed by merchant_id, so that a
-- distributed database (the Citus model) can place each merchant's rows together.
--
-- Payments to payees that are not enrolled belong to no merchant: they live apart.
CREATE TABLE unmatched_payments (LIKE payments INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE unmatched_payments ADD PRIMARY KEY (trade_no), ADD CHECK (merchant_id IS NULL);
INSERT INTO unmatched_payments SELECT * FROM payments WHERE merchant_id IS NULL;
CREATE INDEX unmatched_payments_received ON unmatched_payments (received_at);
DELETE FROM payments WHERE merchant_id IS NULL;
DROP INDEX payments_unmatched;

-- The platform's trade number is unique across all merchants: a small table of its own keeps that
-- (and says which merchant's shard holds the trade) while payments are keyed by merchant.
CREATE TABLE trade_numbers (
  trade_no     text PRIMARY KEY,
  merchant_id  bigint NOT NULL
);
INSERT INTO trade_numbers SELECT trade_no, merchant_id FROM payments;
ALTER TABLE payments ALTER COLUMN merchant_id SET NOT NULL;
ALTER TABLE payments DROP CONSTRAINT payments_pkey, ADD PRIMARY KEY (merchant_id, trade_no);

-- Credit lots are the merchant's: keyed by it (a lot's id is still unique, being a transfer's id).
ALTER TABLE credit_lots DROP CONSTRAINT credit_lots_pkey, ADD PRIMARY KEY (merchant_id, lot_id);
