-- Rate-limit scopes kept apart (issue 21): staff password failures no longer share the merchants'
-- failed-code counter, and a phone's codes asked from an address it signed in from have a budget of
-- their own, so strangers spending the phone's daily codes do not lock its merchant out.
--   staff_sign_in_ip  a failed console sign-in from an address
--   otp_phone_known   a code requested for a phone from an address that phone signed in from
ALTER TABLE auth_rate_events DROP CONSTRAINT auth_rate_events_scope_check;
ALTER TABLE auth_rate_events ADD CONSTRAINT auth_rate_events_scope_check
  CHECK (scope IN ('otp_phone', 'otp_ip', 'sign_in_ip', 'staff_sign_in_ip', 'otp_phone_known'));
-- which addresses a phone's merchants signed in from (the known-address budget reads it per code request)
CREATE INDEX auth_sessions_by_ip ON auth_sessions (ip, merchant_id);
