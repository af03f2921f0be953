-- A reopened request stood resolved until the client reopened it: that stretch was the client's
-- time, so its clock was paused then too. Kept apart from the questions the center asks, which
-- are what the paused-share figure watches.
ALTER TABLE sla_pauses ADD COLUMN kind TEXT NOT NULL DEFAULT 'awaiting_client'
    CHECK (kind IN ('awaiting_client', 'resolved'));
