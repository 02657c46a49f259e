-- Appeals (issue 27, part 3): a merchant contests a refusal once, with a message and new photos; a
-- reviewer other than the one who refused decides it. Two statuses of their own, so that the queue,
-- the timeline and the dashboard tell an appeal from a first review:
--   appealed       the appeal's photos are waiting to be read (as a resubmission's are)
--   appeal_review  read, in the review queue as an appeal
ALTER TABLE claims DROP CONSTRAINT claims_status_check;
ALTER TABLE claims ADD CONSTRAINT claims_status_check
  CHECK (status IN ('submitted', 'recognized', 'in_review', 'photo_requested', 'approved', 'paid', 'rejected', 'appealed', 'appeal_review'));

-- The review queue reads claims waiting for a person, appeals among them.
DROP INDEX claims_review_queue;
CREATE INDEX claims_review_queue ON claims (submitted_at) WHERE status IN ('in_review', 'photo_requested', 'appeal_review');

-- One appeal per claim: the primary key is the "once". What was refused, and by whom, is copied here
-- when the appeal is made (the claim's row moves on); the outcome is written by the deciding reviewer.
CREATE TABLE claim_appeals (
  merchant_id           bigint NOT NULL,
  claim_id              uuid NOT NULL,
  appealed_at           timestamptz NOT NULL,
  message               text NOT NULL CHECK (char_length(message) BETWEEN 1 AND 500),
  -- the refusal: who decided it ('machine' or a member of staff) and why
  refused_by            text NOT NULL,
  refused_reason_codes  text[] NOT NULL,
  -- the files the claim had when it was refused (the appeal's new photos replace them on the claim)
  previous_files        jsonb NOT NULL,
  outcome               text CHECK (outcome IN ('approved', 'rejected')),
  decided_by            text,
  decided_at            timestamptz,
  reason_code           text,
  message_to_merchant   text,
  PRIMARY KEY (merchant_id, claim_id),
  FOREIGN KEY (merchant_id, claim_id) REFERENCES claims (merchant_id, claim_id),
  -- the rule the API enforces, held here too: whoever refused does not decide the appeal
  CONSTRAINT claim_appeals_other_reviewer CHECK (decided_by IS NULL OR decided_by <> refused_by),
  CONSTRAINT claim_appeals_decision_whole CHECK ((outcome IS NULL) = (decided_by IS NULL) AND (outcome IS NULL) = (decided_at IS NULL)),
  CONSTRAINT claim_appeals_reason_told CHECK (outcome IS NULL OR message_to_merchant IS NOT NULL)
);
-- the dashboard counts appeals by the day they were made
CREATE INDEX claim_appeals_by_day ON claim_appeals (appealed_at);
