-- Indexes the dashboard and the statement job need on a center's real volume (measured with
-- `make bench` on 200,000 requests).
-- Kept in step with ../postgres/20261207000006_dashboard_indexes.sql by the schema parity test.

-- The CSAT response rate counts the resolutions of a period (a request reopened and resolved
-- again counts twice): without this index each count read every event of every request.
CREATE INDEX request_events_resolutions ON request_events (created_at, request_id) WHERE action = 'resolve';

-- Follow-ups of one subsidiary's requests: without it the planner scanned every follow-up for
-- each of the subsidiary's requests, and a month's statements took minutes.
CREATE INDEX follow_ups_request ON follow_ups (request_id);
