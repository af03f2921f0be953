-- Search decides validity and order from the live version's dates alone. With them in an index
-- beside the version's key, an index-only scan answers without the version's wide row.
-- Kept in step with ../sqlite/20261204000001_policy_search_dates.sql by the schema parity test.
CREATE INDEX policy_versions_dates ON policy_versions (page_id, number, effective_on, valid_until);
