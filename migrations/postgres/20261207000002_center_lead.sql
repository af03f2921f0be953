-- The center lead (中心负责人) reads the operations dashboard of every organisation, granted
-- like the editor permission.
-- Kept in step with ../sqlite/20261207000002_center_lead.sql by the schema parity test.
ALTER TABLE user_permissions DROP CONSTRAINT user_permissions_permission_check;
ALTER TABLE user_permissions ADD CONSTRAINT user_permissions_permission_check
    CHECK (permission IN ('editor', 'center_lead'));

-- The dashboard reads requests by the instant they were submitted and resolved.
CREATE INDEX requests_created ON requests (created_at);
CREATE INDEX requests_resolved ON requests (resolved_at);
