-- Claims waiting to be read: counted on every submission to bound the recognition queue per
-- merchant and overall (issue 21), so the count reads a small index, never the whole table.
CREATE INDEX claims_waiting ON claims (merchant_id) WHERE status = 'submitted';
