-- Notifications per recipient, their delivery preferences and the email outbox.
-- Kept in step with ../postgres/20261124000001_notifications.sql by the schema parity test.
--
-- A notification and its email are written in the transaction of the change that caused
-- them, so a process that dies after the commit loses neither.

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    request_id INTEGER REFERENCES requests (id),
    reference_no TEXT,
    title TEXT NOT NULL,
    link TEXT NOT NULL,
    status TEXT,
    actor_name TEXT,
    excerpt TEXT,
    -- Shown in the portal; false for an email-only notification.
    in_app BOOLEAN NOT NULL,
    -- Waiting for the recipient's daily digest email.
    digest_pending BOOLEAN NOT NULL DEFAULT FALSE,
    read_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL AND in_app = TRUE;
CREATE INDEX notifications_digest ON notifications (user_id, id) WHERE digest_pending = TRUE;

-- One row per user and kind that differs from the defaults.
CREATE TABLE notification_preferences (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    in_app BOOLEAN NOT NULL,
    email BOOLEAN NOT NULL,
    PRIMARY KEY (user_id, kind)
);

CREATE TABLE notification_settings (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    -- One email a day listing what happened, instead of one email per event.
    daily_digest BOOLEAN NOT NULL DEFAULT FALSE,
    -- An organisation contact also hears of status changes of the subsidiary's requests.
    follow_organisation BOOLEAN NOT NULL DEFAULT FALSE,
    last_digest_at TEXT
);

CREATE TABLE email_outbox (
    id INTEGER PRIMARY KEY,
    user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
    to_address TEXT NOT NULL,
    language TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    -- A sender holds a row until then; a sender that died lets it go when it passes.
    lease_until TEXT,
    last_error TEXT,
    sent_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX email_outbox_due ON email_outbox (next_attempt_at, id) WHERE sent_at IS NULL;
