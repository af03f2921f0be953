-- Suggestions while asking: which policy versions the new-request form showed a client, which
-- they opened, and the request they then submitted, if any.
-- Kept in step with ../postgres/20261202000002_policy_suggestions.sql by the schema parity test.

-- One row per form, page and version. The form is known by the idempotency key it submits
-- with, so submission links its rows to the request in the same transaction.
CREATE TABLE policy_suggestions (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    form_key TEXT NOT NULL,
    page_id INTEGER NOT NULL REFERENCES policy_pages (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    suggested_at TEXT NOT NULL,
    opened_at TEXT,
    request_id INTEGER REFERENCES requests (id) ON DELETE SET NULL,
    UNIQUE (user_id, form_key, page_id, version)
);
CREATE INDEX policy_suggestions_request ON policy_suggestions (request_id) WHERE request_id IS NOT NULL;
CREATE INDEX policy_suggestions_page ON policy_suggestions (page_id);
