-- The policy column (规章制度): versioned pages with audiences, and the index their search uses.
-- Kept in step with ../postgres/20261201000001_policy_column.sql by the schema parity test.

-- Granted on top of memberships: an editor writes and publishes policy pages.
CREATE TABLE user_permissions (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    permission TEXT NOT NULL CHECK (permission IN ('editor')),
    granted_by INTEGER REFERENCES users (id),
    granted_at TEXT NOT NULL,
    PRIMARY KEY (user_id, permission)
);

CREATE TABLE policy_categories (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES policy_categories (id),
    code TEXT NOT NULL UNIQUE,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0
);

-- A page is its slug, category and audience; what it says lives in its versions. The draft is
-- the editor's unpublished text, kept whole as JSON until it becomes a version.
CREATE TABLE policy_pages (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    category_id INTEGER NOT NULL REFERENCES policy_categories (id),
    for_everyone BOOLEAN NOT NULL,
    live_version INTEGER,
    draft TEXT,
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Who may read a page that is not for everyone: members of these organisations, or of any
-- organisation in these tiers.
CREATE TABLE policy_audience (
    page_id INTEGER NOT NULL REFERENCES policy_pages (id) ON DELETE CASCADE,
    org_id INTEGER REFERENCES organisations (id),
    tier_id INTEGER REFERENCES tiers (id),
    CHECK ((org_id IS NULL) <> (tier_id IS NULL))
);
CREATE UNIQUE INDEX policy_audience_org ON policy_audience (page_id, org_id) WHERE org_id IS NOT NULL;
CREATE UNIQUE INDEX policy_audience_tier ON policy_audience (page_id, tier_id) WHERE tier_id IS NOT NULL;

-- Published versions never change.
CREATE TABLE policy_versions (
    id INTEGER PRIMARY KEY,
    page_id INTEGER NOT NULL REFERENCES policy_pages (id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    title_zh TEXT NOT NULL,
    title_en TEXT,
    body_zh TEXT NOT NULL,
    body_en TEXT,
    tags TEXT NOT NULL,
    effective_on TEXT NOT NULL,
    valid_until TEXT,
    superseded_by INTEGER REFERENCES policy_pages (id),
    requires_ack BOOLEAN NOT NULL DEFAULT FALSE,
    ack_deadline TEXT,
    published_by INTEGER NOT NULL REFERENCES users (id),
    published_at TEXT NOT NULL,
    UNIQUE (page_id, number)
);

-- The search index of each page's live version: single characters and character pairs of
-- Chinese text, whole words of other text, each marked as from the title ('t') or elsewhere
-- ('b'). Written in the transaction that publishes; neither database's text search is used,
-- so both answer alike whatever their extensions or collation.
CREATE TABLE policy_terms (
    term TEXT NOT NULL,
    field TEXT NOT NULL CHECK (field IN ('t', 'b')),
    page_id INTEGER NOT NULL REFERENCES policy_pages (id) ON DELETE CASCADE,
    PRIMARY KEY (term, field, page_id)
);
CREATE INDEX policy_terms_page ON policy_terms (page_id);

-- Editors' synonym sets: a query term also finds the other members of its set.
CREATE TABLE policy_synonyms (
    id INTEGER PRIMARY KEY,
    terms TEXT NOT NULL UNIQUE,
    updated_by INTEGER NOT NULL REFERENCES users (id),
    updated_at TEXT NOT NULL
);

INSERT INTO policy_categories (parent_id, code, name_zh, name_en, position) VALUES
    (NULL, 'reimbursement', '报销制度', 'Reimbursement', 1),
    (NULL, 'payments', '付款与资金', 'Payments and treasury', 2),
    (NULL, 'tax', '税务与发票', 'Tax and invoices', 3),
    (NULL, 'service', '服务说明与时限', 'Service and time limits', 4),
    (NULL, 'how-to', '操作指南', 'How-to guides', 5),
    (NULL, 'faq', '常见问题', 'Questions and answers', 6);
INSERT INTO policy_categories (parent_id, code, name_zh, name_en, position)
    SELECT id, 'travel', '差旅', 'Travel', 1 FROM policy_categories WHERE code = 'reimbursement';
INSERT INTO policy_categories (parent_id, code, name_zh, name_en, position)
    SELECT id, 'expenses', '费用', 'Expenses', 2 FROM policy_categories WHERE code = 'reimbursement';
