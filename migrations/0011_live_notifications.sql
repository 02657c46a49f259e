-- Merchant notifications reach the open app live: every new row is announced on commit (LISTEN
-- carepoints_notifications), whoever wrote it. Notices of expiring credit are written once per
-- merchant and expiry instant.

ALTER TABLE merchant_notifications ADD COLUMN expires_at timestamptz;
ALTER TABLE merchant_notifications ADD COLUMN amount_fen bigint CHECK (amount_fen > 0);
CREATE UNIQUE INDEX merchant_notifications_one_per_expiry ON merchant_notifications (merchant_id, expires_at) WHERE kind = 'credit_expiring';
CREATE INDEX merchant_notifications_unread ON merchant_notifications (merchant_id, notification_id) WHERE read_at IS NULL;

CREATE FUNCTION merchant_notifications_announce() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('carepoints_notifications', json_build_object('merchantId', NEW.merchant_id, 'notificationId', NEW.notification_id)::text);
  RETURN NULL;
END $$;
CREATE TRIGGER merchant_notifications_announce AFTER INSERT ON merchant_notifications
  FOR EACH ROW EXECUTE FUNCTION merchant_notifications_announce();

-- How far ahead the expiring-credit sweep has looked: each round notices only lots whose expiry
-- entered the window since the last one.
CREATE TABLE notification_sweeps (
  sweep    text PRIMARY KEY CHECK (sweep IN ('credit_expiring')),
  horizon  timestamptz NOT NULL
);
