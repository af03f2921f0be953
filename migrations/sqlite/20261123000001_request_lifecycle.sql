-- Request types, teams, the full request lifecycle and attachments.
-- Kept in step with ../postgres/20261123000001_request_lifecycle.sql by the schema parity test.
--
-- `requests` gains NOT NULL columns that reference other tables, which SQLite can only do by
-- rebuilding the table; `Db::migrate` runs SQLite migrations with foreign keys off and checks
-- them afterwards.

CREATE TABLE teams (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE team_members (
    team_id INTEGER NOT NULL REFERENCES teams (id),
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id);

CREATE TABLE request_types (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    sort_order INTEGER NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    current_version INTEGER NOT NULL
);

-- A request keeps the version it was submitted with; editing a type adds a version.
CREATE TABLE request_type_versions (
    id INTEGER PRIMARY KEY,
    type_id INTEGER NOT NULL REFERENCES request_types (id),
    version INTEGER NOT NULL,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('document', 'query')),
    team_id INTEGER NOT NULL REFERENCES teams (id),
    first_response_hours INTEGER NOT NULL,
    resolution_hours INTEGER NOT NULL,
    urgent_allowed BOOLEAN NOT NULL,
    urgent_first_response_hours INTEGER NOT NULL,
    urgent_resolution_hours INTEGER NOT NULL,
    definition TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    UNIQUE (type_id, version)
);

CREATE TABLE canned_replies (
    id INTEGER PRIMARY KEY,
    team_id INTEGER NOT NULL REFERENCES teams (id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX canned_replies_team ON canned_replies (team_id, id);

INSERT INTO teams (code, name_zh, name_en) VALUES
    ('service_desk', '服务台', 'Service desk'),
    ('expenses', '费用核算组', 'Expense accounting'),
    ('payables', '应付组', 'Accounts payable'),
    ('treasury', '资金组', 'Treasury'),
    ('tax', '税务组', 'Tax'),
    ('ledger', '总账组', 'General ledger'),
    ('master_data', '主数据组', 'Master data'),
    ('systems', '系统支持组', 'System support');

INSERT INTO request_types (code, sort_order, active, current_version) VALUES
    ('expense_reimbursement', 10, TRUE, 1),
    ('payment_request', 20, TRUE, 1),
    ('urgent_payment', 30, TRUE, 1),
    ('invoice', 40, TRUE, 1),
    ('fund_transfer', 50, TRUE, 1),
    ('tax', 60, TRUE, 1),
    ('ledger_close', 70, TRUE, 1),
    ('master_data', 80, TRUE, 1),
    ('system_access', 90, TRUE, 1),
    ('general_query', 100, TRUE, 1);

INSERT INTO request_type_versions (type_id, version, name_zh, name_en, kind, team_id, first_response_hours, resolution_hours, urgent_allowed, urgent_first_response_hours, urgent_resolution_hours, definition, created_by, created_at) VALUES
    ((SELECT id FROM request_types WHERE code = 'expense_reimbursement'), 1, '费用报销', 'Expense reimbursement', 'document', (SELECT id FROM teams WHERE code = 'expenses'), 8, 48, TRUE, 2, 8, '{"fields":[{"key":"amount","label":{"zh":"报销金额","en":"Amount"},"kind":"amount","required":true,"help":{"zh":"含税总额","en":"Total including tax"}},{"key":"expense_date","label":{"zh":"费用发生日期","en":"Date of expense"},"kind":"date","required":true,"help":{"zh":"","en":""}},{"key":"category","label":{"zh":"费用类别","en":"Category"},"kind":"choice","required":true,"help":{"zh":"","en":""},"choices":[{"value":"travel","label":{"zh":"差旅费","en":"Travel"}},{"value":"entertainment","label":{"zh":"业务招待费","en":"Business entertainment"}},{"value":"office","label":{"zh":"办公费","en":"Office supplies"}},{"value":"training","label":{"zh":"培训费","en":"Training"}},{"value":"other","label":{"zh":"其他","en":"Other"}}]},{"key":"cost_center","label":{"zh":"成本中心","en":"Cost centre"},"kind":"text","required":false,"help":{"zh":"如 CC-1001","en":"e.g. CC-1001"}},{"key":"invoice_no","label":{"zh":"发票号码","en":"Invoice number"},"kind":"invoice_number","required":false,"help":{"zh":"8 位或 20 位数字","en":"8 or 20 digits"}}],"slots":[{"key":"invoice","label":{"zh":"发票","en":"Invoice"},"required":true,"kinds":["pdf","ofd","jpeg","png"]},{"key":"approval","label":{"zh":"审批单","en":"Approval form"},"required":true,"kinds":["pdf","jpeg","png","docx"]}]}', NULL, '2026-11-23T00:00:00+00:00'),
    ((SELECT id FROM request_types WHERE code = 'payment_request'), 1, '付款申请', 'Payment request', 'document', (SELECT id FROM teams WHERE code = 'payables'), 8, 72, TRUE, 2, 8, '{"fields":[{"key":"payee","label":{"zh":"收款方","en":"Payee"},"kind":"text","required":true,"help":{"zh":"","en":""}},{"key":"amount","label":{"zh":"付款金额","en":"Amount"},"kind":"amount","required":true,"help":{"zh":"","en":""}},{"key":"pay_by","label":{"zh":"要求付款日期","en":"Pay by"},"kind":"date","required":true,"help":{"zh":"","en":""}},{"key":"bank_account","label":{"zh":"收款账号","en":"Payee bank account"},"kind":"text","required":true,"help":{"zh":"","en":""}},{"key":"contract_no","label":{"zh":"合同编号","en":"Contract number"},"kind":"text","required":false,"help":{"zh":"","en":""}}],"slots":[{"key":"invoice","label":{"zh":"发票","en":"Invoice"},"required":true,"kinds":["pdf","ofd","jpeg","png"]},{"key":"contract","label":{"zh":"合同","en":"Contract"},"required":false,"kinds":["pdf","docx"]}]}', NULL, '2026-11-23T00:00:00+00:00'),
    ((SELECT id FROM request_types WHERE code = 'urgent_payment'), 1, '紧急付款', 'Urgent payment', 'document', (SELECT id FROM teams WHERE code = 'treasury'), 1, 4, FALSE, 1, 4, '{"fields":[{"key":"payee","label":{"zh":"收款方","en":"Payee"},"kind":"text","required":true,"help":{"zh":"","en":""}},{"key":"amount","label":{"zh":"付款金额","en":"Amount"},"kind":"amount","required":true,"help":{"zh":"","en":""}},{"key":"pay_by","label":{"zh":"最晚付款日期","en":"Pay by"},"kind":"date","required":true,"help":{"zh":"","en":""}},{"key":"justification","label":{"zh":"紧急原因","en":"Why it cannot wait"},"kind":"long_text","required":true,"help":{"zh":"说明不能走标准流程的原因","en":"Explain why the standard flow is too slow"}}],"slots":[{"key":"approval","label":{"zh":"审批单","en":"Approval form"},"required":true,"kinds":["pdf","jpeg","png"]},{"key":"invoice","label":{"zh":"发票","en":"Invoice"},"required":false,"kinds":["pdf","ofd","jpeg","png"]}]}', NULL, '2026-11-23T00:00:00+00:00'),
    ((SELECT id FROM request_types WHERE code = 'invoice'), 1, '发票开具与查验', 'Invoice issue or verification', 'document', (SELECT id FROM teams WHERE code = 'tax'), 8, 48, TRUE, 2, 8, '{"fields":[{"key":"action","label":{"zh":"事项","en":"What is needed"},"kind":"choice","required":true,"help":{"zh":"","en":""},"choices":[{"value":"issue","label":{"zh":"开具发票","en":"Issue an invoice"}},{"value":"verify","label":{"zh":"查验发票","en":"Verify an invoice"}},{"value":"red_letter","label":{"zh":"红字发票","en":"Credit note (red-letter invoice)"}}]},{"key":"invoice_no","label":{"zh":"发票号码","en":"Invoice number"},"kind":"invoice_number","required":false,"help":{"zh":"8 位或 20 位数字","en":"8 or 20 digits"}},{"key":"buyer","label":{"zh":"购买方名称","en":"Buyer"},"kind":"text","required":false,"help":{"zh":"","en":""}},{"key":"amount","label":{"zh":"金额","en":"Amount"},"kind":"amount","required":false,"help":{"zh":"","en":""}}],"slots":[{"key":"invoice","label":{"zh":"发票","en":"Invoice"},"required":false,"kinds":["pdf","ofd","jpeg","png"]}]}', NULL, '2026-11-23T00:00:00+00:00'),
    ((SELECT id FROM request_types WHERE code = 'fund_transfer'), 1, '资金调拨', 'Fund transfer', 'document', (SELECT id FROM teams WHERE code = 'treasury'), 4, 24, TRUE, 1, 4, '{"fields":[{"key":"from_account","label":{"zh":"付款账户","en":"From account"},"kind":"text","required":true,"help":{"zh":"","en":""}},{"key":"to_account","label":{"zh":"收款账户","en":"To account"},"kind":"text","required":true,"help":{"zh":"","en":""}},{"key":"amount","label":{"zh":"金额","en":"Amount"},"kind":"amount","required":true,"help":{"zh":"","en":""}},{"key":"value_date","label":{"zh":"起息日","en":"Value date"},"kind":"date","required":true,"help":{"zh":"","en":""}}],"slots":[{"key":"approval","label":{"zh":"审批单","en":"Approval form"},"required":true,"kinds":["pdf","jpeg","png"]}]}', NULL, '2026-11-23T00:00:00+00:00'),
    ((SELECT id FROM request_types WHERE code = 'tax'), 1, '税务事项', 'Tax matter', 'query', (SELECT id FROM teams WHERE code = 'tax'), 8, 72, FALSE, 8, 72, '{"fields":[{"key":"tax_kind","label":{"zh":"税种","en":"Tax"},"kind":"choice","required":true,"help":{"zh":"","en":""},"choices":[{"value":"vat","label":{"zh":"增值税","en":"VAT"}},{"value":"cit","label":{"zh":"企业所得税","en":"Corporate income tax"}},{"value":"iit","label":{"zh":"个人所得税","en":"Individual income tax"}},{"value":"other","label":{"zh":"其他","en":"Other"}}]},{"key":"period","label":{"zh":"所属期间","en":"Period"},"kind":"text","required":false,"help":{"zh":"如 2026-10","en":"e.g. 2026-10"}}],"slots":[{"key":"supporting","label":{"zh":"支持文件","en":"Supporting documents"},"required":false,"kinds":["pdf","ofd","xlsx","jpeg","png"]}]}', NULL, '2026-11-23T00:00:00+00:00'),
    ((SELECT id FROM request_types WHERE code = 'ledger_close'), 1, '总账与月结', 'General ledger and month-end close', 'query', (SELECT id FROM teams WHERE code = 'ledger'), 8, 48, TRUE, 2, 8, '{"fields":[{"key":"period","label":{"zh":"会计期间","en":"Accounting period"},"kind":"text","required":true,"help":{"zh":"如 2026-10","en":"e.g. 2026-10"}},{"key":"account","label":{"zh":"科目","en":"Account"},"kind":"text","required":false,"help":{"zh":"","en":""}}],"slots":[{"key":"workpaper","label":{"zh":"底稿","en":"Working papers"},"required":false,"kinds":["xlsx","csv","pdf"]}]}', NULL, '2026-11-23T00:00:00+00:00'),
    ((SELECT id FROM request_types WHERE code = 'master_data'), 1, '主数据变更', 'Master data change', 'document', (SELECT id FROM teams WHERE code = 'master_data'), 8, 48, FALSE, 8, 48, '{"fields":[{"key":"object","label":{"zh":"数据对象","en":"Record"},"kind":"choice","required":true,"help":{"zh":"","en":""},"choices":[{"value":"supplier","label":{"zh":"供应商","en":"Supplier"}},{"value":"customer","label":{"zh":"客户","en":"Customer"}},{"value":"bank_account","label":{"zh":"银行账户","en":"Bank account"}},{"value":"cost_center","label":{"zh":"成本中心","en":"Cost centre"}}]},{"key":"change","label":{"zh":"变更内容","en":"Change"},"kind":"long_text","required":true,"help":{"zh":"写明变更前后的值","en":"Give the old and the new values"}}],"slots":[{"key":"supporting","label":{"zh":"支持文件","en":"Supporting documents"},"required":false,"kinds":["pdf","jpeg","png","xlsx"]}]}', NULL, '2026-11-23T00:00:00+00:00'),
    ((SELECT id FROM request_types WHERE code = 'system_access'), 1, '系统权限与问题', 'System access or problem', 'query', (SELECT id FROM teams WHERE code = 'systems'), 4, 24, TRUE, 1, 4, '{"fields":[{"key":"system","label":{"zh":"系统","en":"System"},"kind":"choice","required":true,"help":{"zh":"","en":""},"choices":[{"value":"erp","label":{"zh":"ERP","en":"ERP"}},{"value":"expense","label":{"zh":"费控系统","en":"Expense system"}},{"value":"treasury","label":{"zh":"资金系统","en":"Treasury system"}},{"value":"imaging","label":{"zh":"影像系统","en":"Document imaging"}},{"value":"other","label":{"zh":"其他","en":"Other"}}]}],"slots":[{"key":"screenshot","label":{"zh":"截图","en":"Screenshot"},"required":false,"kinds":["png","jpeg","pdf"]}]}', NULL, '2026-11-23T00:00:00+00:00'),
    ((SELECT id FROM request_types WHERE code = 'general_query'), 1, '一般咨询', 'General query', 'query', (SELECT id FROM teams WHERE code = 'service_desk'), 8, 40, FALSE, 8, 40, '{"fields":[],"slots":[]}', NULL, '2026-11-23T00:00:00+00:00');

CREATE TABLE requests_rebuilt (
    id INTEGER PRIMARY KEY,
    reference_no TEXT NOT NULL UNIQUE,
    org_id INTEGER NOT NULL REFERENCES organisations (id),
    requester_id INTEGER NOT NULL REFERENCES users (id),
    type_version_id INTEGER NOT NULL REFERENCES request_type_versions (id),
    team_id INTEGER NOT NULL REFERENCES teams (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    field_values TEXT NOT NULL,
    urgent BOOLEAN NOT NULL,
    urgent_reason TEXT,
    status TEXT NOT NULL CHECK (status IN ('submitted', 'in_review', 'awaiting_client', 'resolved', 'rejected', 'withdrawn', 'closed')),
    version INTEGER NOT NULL DEFAULT 1,
    owner_id INTEGER REFERENCES users (id),
    first_owner_id INTEGER REFERENCES users (id),
    first_response_due TEXT NOT NULL,
    resolution_due TEXT NOT NULL,
    first_responded_at TEXT,
    awaiting_since TEXT,
    resolved_at TEXT,
    resolution TEXT,
    reject_reason TEXT,
    idempotency_key TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (requester_id, idempotency_key)
);

-- Requests of the first slice become general queries of the service desk.
INSERT INTO requests_rebuilt (id, reference_no, org_id, requester_id, type_version_id, team_id, title,
    description, field_values, urgent, urgent_reason, status, version, owner_id, first_owner_id,
    first_response_due, resolution_due, first_responded_at, awaiting_since, resolved_at, resolution,
    reject_reason, idempotency_key, created_at, updated_at)
SELECT r.id, r.reference_no, r.org_id, r.requester_id, v.id, v.team_id, r.title, r.description, '{}',
    FALSE, NULL, r.status, r.version, NULL, NULL,
    strftime('%Y-%m-%dT%H:%M:%S+00:00', r.created_at, '+' || v.first_response_hours || ' hours'),
    strftime('%Y-%m-%dT%H:%M:%S+00:00', r.created_at, '+' || v.resolution_hours || ' hours'),
    NULL, NULL, NULL, NULL, NULL, NULL, r.created_at, r.updated_at
FROM requests r
JOIN request_types t ON t.code = 'general_query'
JOIN request_type_versions v ON v.type_id = t.id AND v.version = 1;

DROP TABLE requests;
ALTER TABLE requests_rebuilt RENAME TO requests;
CREATE INDEX requests_requester ON requests (requester_id, id);
CREATE INDEX requests_org ON requests (org_id, id);
CREATE INDEX requests_status_due ON requests (status, resolution_due, id);
CREATE INDEX requests_owner ON requests (owner_id, status, resolution_due);
CREATE INDEX requests_team ON requests (team_id, status, resolution_due);

ALTER TABLE request_events ADD COLUMN action TEXT;
ALTER TABLE request_events ADD COLUMN internal BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE request_events ADD COLUMN owner_id INTEGER REFERENCES users (id);
ALTER TABLE request_events ADD COLUMN team_id INTEGER REFERENCES teams (id);
ALTER TABLE request_events ADD COLUMN reason_code TEXT;

-- Bytes live in the database, so every instance serves every file and backups hold them.
-- A row without request_id is an upload not yet part of a submitted request.
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    request_id INTEGER REFERENCES requests (id),
    event_id INTEGER REFERENCES request_events (id),
    slot TEXT,
    internal BOOLEAN NOT NULL DEFAULT FALSE,
    file_name TEXT NOT NULL,
    kind TEXT CHECK (kind IN ('pdf', 'ofd', 'jpeg', 'png', 'xlsx', 'docx', 'csv')),
    size_bytes BIGINT NOT NULL DEFAULT 0,
    sha256 TEXT,
    complete BOOLEAN NOT NULL DEFAULT FALSE,
    uploaded_by INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX attachments_request ON attachments (request_id, id);
CREATE INDEX attachments_uploader ON attachments (uploaded_by, created_at);

CREATE TABLE attachment_chunks (
    attachment_id INTEGER NOT NULL REFERENCES attachments (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (attachment_id, seq)
);

