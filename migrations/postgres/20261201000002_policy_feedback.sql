-- "Was this helpful?": one answer per reader per version, with an optional comment.
-- Kept in step with ../sqlite/20261201000002_policy_feedback.sql by the schema parity test.

CREATE TABLE policy_feedback (
    page_id BIGINT NOT NULL REFERENCES policy_pages (id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    helpful BOOLEAN NOT NULL,
    comment TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (page_id, version, user_id)
);
