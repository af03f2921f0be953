-- Each subsidiary's monthly service statement (服务结算单), issued once and never changed: a
-- correction is a new revision. The lines and figures are copied in as they were at issue.
-- Kept in step with ../postgres/20261207000004_statements.sql by the schema parity test.
CREATE TABLE statements (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations (id),
    -- The first day of the month it covers.
    month TEXT NOT NULL,
    revision INTEGER NOT NULL,
    price_list_id INTEGER NOT NULL REFERENCES price_lists (id),
    currency TEXT NOT NULL,
    price_minor INTEGER NOT NULL,
    surcharge_minor INTEGER NOT NULL,
    credits_minor INTEGER NOT NULL,
    credit_minor INTEGER NOT NULL,
    total_minor INTEGER NOT NULL,
    capped BOOLEAN NOT NULL,
    -- The month's SLA attainment, satisfaction, rejections and open follow-ups, as JSON.
    summary TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    UNIQUE (org_id, month, revision)
);

CREATE TABLE statement_lines (
    statement_id INTEGER NOT NULL REFERENCES statements (id),
    line_no INTEGER NOT NULL,
    request_id INTEGER NOT NULL REFERENCES requests (id),
    reference_no TEXT NOT NULL,
    type_id INTEGER NOT NULL REFERENCES request_types (id),
    type_name TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    resolved_at TEXT NOT NULL,
    free BOOLEAN NOT NULL,
    price_minor INTEGER NOT NULL,
    surcharge_minor INTEGER NOT NULL,
    credit_minor INTEGER NOT NULL,
    credit_reason TEXT NOT NULL CHECK (credit_reason IN ('none', 'first_response', 'resolution', 'both')),
    PRIMARY KEY (statement_id, line_no)
);
