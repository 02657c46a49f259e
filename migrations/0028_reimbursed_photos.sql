-- A photo is paid at most once (DESIGN.md §1 "Reimbursement"), whoever approves: each invoice photo
-- of an approved claim is held here by its content hash, across all merchants, like invoice_claims
-- holds the invoice's key. Global on purpose: the same bytes sent by two merchants are one photo
-- (and, like invoice_claims, without foreign keys into tables placed by another key).
CREATE TABLE reimbursed_photos (
  sha256       text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  merchant_id  bigint NOT NULL,
  claim_id     uuid NOT NULL,
  held_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reimbursed_photos_by_claim ON reimbursed_photos (merchant_id, claim_id);

-- An approval names the invoice it pays, the visit day and the covered charges: the reviewer supplies
-- them when the machine could not read them, so no approval leaves the once-per-invoice key unheld or
-- a limit of the benefit unknown. On 'approved' only (every paid claim was approved first), and NOT
-- VALID: a claim approved before this migration still moves on to paid or back to review.
ALTER TABLE claims ADD CONSTRAINT claims_approval_names_invoice
  CHECK (status <> 'approved' OR (invoice_code IS NOT NULL AND invoice_number IS NOT NULL AND visit_date IS NOT NULL AND covered_fen IS NOT NULL)) NOT VALID;
