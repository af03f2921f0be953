-- Disputes (对账) of a statement's lines, and the corrected revisions they lead to. A line's
-- corrected charge replaces its price, surcharge and credit in the revision that corrects it.
-- Kept in step with ../postgres/20261207000005_statement_disputes.sql by the schema parity test.
ALTER TABLE statements ADD COLUMN corrections_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE statement_lines ADD COLUMN corrected_minor INTEGER;

CREATE TABLE statement_disputes (
    id INTEGER PRIMARY KEY,
    statement_id INTEGER NOT NULL REFERENCES statements (id),
    line_no INTEGER NOT NULL,
    opened_by INTEGER NOT NULL REFERENCES users (id),
    reason TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('open', 'accepted', 'declined')),
    answered_by INTEGER REFERENCES users (id),
    answer TEXT,
    -- What the line costs after an accepted dispute, in minor units.
    corrected_minor INTEGER,
    answered_at TEXT,
    -- The revision an accepted dispute produced.
    revision_id INTEGER REFERENCES statements (id),
    -- One dispute per line of a revision: a declined line is settled for that revision.
    UNIQUE (statement_id, line_no),
    FOREIGN KEY (statement_id, line_no) REFERENCES statement_lines (statement_id, line_no)
);

CREATE INDEX statement_disputes_opened ON statement_disputes (opened_at);
