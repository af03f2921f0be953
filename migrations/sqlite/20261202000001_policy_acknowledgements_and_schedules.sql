-- Read and acknowledge, and publication at a chosen instant.
-- Kept in step with ../postgres/20261202000001_policy_acknowledgements_and_schedules.sql by the
-- schema parity test.

-- "I have read it", once per reader and version: a new version that asks again is a new row.
CREATE TABLE policy_acknowledgements (
    page_id INTEGER NOT NULL REFERENCES policy_pages (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    acknowledged_at TEXT NOT NULL,
    PRIMARY KEY (page_id, version, user_id)
);
CREATE INDEX policy_acknowledgements_user ON policy_acknowledgements (user_id);

-- The draft is published at this instant by whichever instance's job claims it first.
ALTER TABLE policy_pages ADD COLUMN publish_at TEXT;
ALTER TABLE policy_pages ADD COLUMN scheduled_by INTEGER REFERENCES users (id);
CREATE INDEX policy_pages_publish_at ON policy_pages (publish_at) WHERE publish_at IS NOT NULL;
