-- A message the mail server refused for good (5xx, or an address no server takes) stops
-- being retried; admins see it with the server's answer.
ALTER TABLE email_outbox ADD COLUMN failed_at TEXT;
DROP INDEX email_outbox_due;
CREATE INDEX email_outbox_due ON email_outbox (next_attempt_at, id) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX email_outbox_failed ON email_outbox (failed_at DESC, id) WHERE failed_at IS NOT NULL;

-- Uploads each user made per day (in their time zone), counted as the bytes stream in, so a
-- daily quota holds however many uploads run at once. Refused and removed uploads still count.
CREATE TABLE upload_usage (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    files INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    PRIMARY KEY (user_id, day)
);
