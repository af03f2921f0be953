-- Browsers that have signed in to an account before. A stranger's failed guesses lock the
-- account, but not for these: the right password from a known device still signs in.
-- Kept in step with ../sqlite/20261130000001_known_devices.sql by the schema parity test.

CREATE TABLE known_devices (
    token_hash TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (token_hash, user_id)
);
CREATE INDEX known_devices_user ON known_devices (user_id);
