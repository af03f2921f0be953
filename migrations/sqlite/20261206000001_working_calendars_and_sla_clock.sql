-- Working calendars, the SLA clock's pauses, and the alerts it has sent.
-- Kept in step with ../postgres/20261206000001_working_calendars_and_sla_clock.sql by the schema parity test.

-- A calendar's weekly pattern is JSON: seven lists of periods, Monday first, each period
-- {"start":"09:00:00","end":"12:00:00"}. The portal writes the default calendar at start when
-- none exists, so the 2026 schedule has one source (`sla::calendar::china_2026`).
CREATE TABLE work_calendars (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    zone TEXT NOT NULL,
    week TEXT NOT NULL,
    is_default BOOLEAN NOT NULL DEFAULT FALSE,
    -- Counts saves, so that an edit made on an old copy is refused rather than lost.
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX work_calendars_one_default ON work_calendars (is_default) WHERE is_default;

-- A date's own rule overrides the week: 'holiday', or the weekday whose periods a make-up
-- workday (调休上班) works.
CREATE TABLE work_calendar_dates (
    calendar_id INTEGER NOT NULL REFERENCES work_calendars (id),
    day TEXT NOT NULL,
    rule TEXT NOT NULL CHECK (rule IN ('holiday', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')),
    PRIMARY KEY (calendar_id, day)
);

-- NULL: the default calendar. A request type's calendar wins over its team's.
ALTER TABLE teams ADD COLUMN calendar_id INTEGER REFERENCES work_calendars (id);
ALTER TABLE request_types ADD COLUMN calendar_id INTEGER REFERENCES work_calendars (id);

-- What was promised at submission, in working minutes, and the calendar it is counted on
-- (NULL: the default). Due instants are recomputed from these, the submission time and the
-- pauses whenever a pause ends or the calendar changes.
ALTER TABLE requests ADD COLUMN calendar_id INTEGER REFERENCES work_calendars (id);
ALTER TABLE requests ADD COLUMN first_response_minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE requests ADD COLUMN resolution_minutes INTEGER NOT NULL DEFAULT 0;
-- Requests from before working time counted kept their plain-hour promise.
UPDATE requests SET
    first_response_minutes = MAX(1, CAST(ROUND((julianday(first_response_due) - julianday(created_at)) * 1440) AS INTEGER)),
    resolution_minutes = MAX(1, CAST(ROUND((julianday(resolution_due) - julianday(created_at)) * 1440) AS INTEGER));

-- The clock stops while the center waits on the client (awaiting_client). Written with the
-- events that start and end it; the reason is the question the client was asked.
CREATE TABLE sla_pauses (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests (id),
    started_at TEXT NOT NULL,
    ended_at TEXT,
    reason TEXT NOT NULL,
    -- NULL for pauses begun before pauses were recorded.
    started_by INTEGER REFERENCES users (id)
);
CREATE INDEX sla_pauses_request ON sla_pauses (request_id, started_at);
INSERT INTO sla_pauses (request_id, started_at, reason)
    SELECT id, awaiting_since, '' FROM requests WHERE status = 'awaiting_client' AND awaiting_since IS NOT NULL;

-- Each warning, breach and unclaimed alert once per request, target, level and due instant:
-- a due instant that moves arms the levels again.
CREATE TABLE sla_alerts (
    request_id INTEGER NOT NULL REFERENCES requests (id),
    target TEXT NOT NULL CHECK (target IN ('first_response', 'resolution')),
    level TEXT NOT NULL CHECK (level IN ('unclaimed', 'warning', 'breach')),
    due_at TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (request_id, target, level, due_at)
);

-- One runner per tick for jobs that several instances would otherwise all run.
CREATE TABLE job_leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    held_until TEXT NOT NULL
);
