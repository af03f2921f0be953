-- The center lead (中心负责人) reads the operations dashboard of every organisation, granted
-- like the editor permission. SQLite cannot widen a CHECK in place, so the grants are copied.
-- Kept in step with ../postgres/20261207000002_center_lead.sql by the schema parity test.
CREATE TABLE user_permissions_widened (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    permission TEXT NOT NULL CHECK (permission IN ('editor', 'center_lead')),
    granted_by INTEGER REFERENCES users (id),
    granted_at TEXT NOT NULL,
    PRIMARY KEY (user_id, permission)
);
INSERT INTO user_permissions_widened (user_id, permission, granted_by, granted_at)
    SELECT user_id, permission, granted_by, granted_at FROM user_permissions;
DROP TABLE user_permissions;
ALTER TABLE user_permissions_widened RENAME TO user_permissions;

-- The dashboard reads requests by the instant they were submitted and resolved.
CREATE INDEX requests_created ON requests (created_at);
CREATE INDEX requests_resolved ON requests (resolved_at);
