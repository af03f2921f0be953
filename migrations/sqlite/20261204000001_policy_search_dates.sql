-- Search decides validity and order from the live version's dates alone. With them in an index
-- beside the version's key, SQLite reads them without the version's row, whose dates sit behind
-- the body on overflow pages.
-- Kept in step with ../postgres/20261204000001_policy_search_dates.sql by the schema parity test.
CREATE INDEX policy_versions_dates ON policy_versions (page_id, number, effective_on, valid_until);
