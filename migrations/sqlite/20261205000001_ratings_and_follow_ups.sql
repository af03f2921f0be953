-- Ratings of resolved requests, their changes, and the follow-ups of low scores.
-- Kept in step with ../postgres/20261205000001_ratings_and_follow_ups.sql by the schema parity test.

-- Each resolution of a request is rated on its own: a request reopened and resolved again
-- counts a second resolution. `resolved_by` is credited with the rating.
ALTER TABLE requests ADD COLUMN resolution_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE requests ADD COLUMN resolved_by INTEGER REFERENCES users (id);
UPDATE requests SET resolution_count = 1, resolved_by = owner_id WHERE status = 'resolved' OR (status = 'closed' AND resolved_at IS NOT NULL AND reject_reason IS NULL);

CREATE TABLE ratings (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests (id),
    resolution_no INTEGER NOT NULL,
    org_id INTEGER NOT NULL REFERENCES organisations (id),
    rater_id INTEGER NOT NULL REFERENCES users (id),
    -- Credited separately: the agent who resolved, and the first owner (首问负责人).
    resolver_id INTEGER REFERENCES users (id),
    first_owner_id INTEGER REFERENCES users (id),
    score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    -- Reason codes, comma-separated, in the order of the list.
    reasons TEXT NOT NULL,
    comment TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    -- When a customer manager (or admin) read the comment; agents see it from then on.
    reviewed_at TEXT,
    UNIQUE (request_id, resolution_no)
);
CREATE INDEX ratings_org ON ratings (org_id, created_at);
CREATE INDEX ratings_resolver ON ratings (resolver_id);
CREATE INDEX ratings_first_owner ON ratings (first_owner_id);

-- The values a rating had before each change.
CREATE TABLE rating_changes (
    id INTEGER PRIMARY KEY,
    rating_id INTEGER NOT NULL REFERENCES ratings (id),
    score INTEGER NOT NULL,
    reasons TEXT NOT NULL,
    comment TEXT NOT NULL,
    given_at TEXT NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE INDEX rating_changes_rating ON rating_changes (rating_id, id);

-- A low score (1–2) opens one follow-up (回访), assigned to a customer manager of the
-- organisation, or to the admins (manager_id NULL) when it has none.
CREATE TABLE follow_ups (
    id INTEGER PRIMARY KEY,
    rating_id INTEGER NOT NULL UNIQUE REFERENCES ratings (id),
    request_id INTEGER NOT NULL REFERENCES requests (id),
    org_id INTEGER NOT NULL REFERENCES organisations (id),
    manager_id INTEGER REFERENCES users (id),
    due_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    escalated_at TEXT,
    closed_at TEXT,
    closed_by INTEGER REFERENCES users (id),
    contact TEXT,
    root_cause TEXT,
    action_taken TEXT,
    outcome TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX follow_ups_open ON follow_ups (closed_at, due_at);
CREATE INDEX follow_ups_manager ON follow_ups (manager_id, closed_at);
CREATE INDEX follow_ups_org ON follow_ups (org_id, closed_at);

-- Everything that happened to a follow-up, for the center's view of the request.
CREATE TABLE follow_up_events (
    id INTEGER PRIMARY KEY,
    follow_up_id INTEGER NOT NULL REFERENCES follow_ups (id),
    actor_id INTEGER REFERENCES users (id),
    kind TEXT NOT NULL,
    note TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX follow_up_events_follow_up ON follow_up_events (follow_up_id, id);

-- Tiers (客户分级) order the agents' queues and scale their subsidiaries' SLA targets:
-- a percentage of the request type's hours (80 = a fifth faster).
ALTER TABLE tiers ADD COLUMN sla_percent INTEGER NOT NULL DEFAULT 100;
ALTER TABLE tiers ADD COLUMN queue_priority INTEGER NOT NULL DEFAULT 0;
UPDATE tiers SET queue_priority = 10 WHERE code = 'key';
