-- The center's price list (内部结算): a version per effective month, with a price per request
-- type, a month-end surcharge, a free quota per tier and the SLA credits per type and tier.
-- Kept in step with ../postgres/20261207000003_price_lists.sql by the schema parity test.
CREATE TABLE price_lists (
    id INTEGER PRIMARY KEY,
    -- The first day of the first month the version prices; it stays in force until the next.
    effective_from TEXT NOT NULL UNIQUE,
    currency TEXT NOT NULL CHECK (currency IN ('CNY', 'HKD', 'USD', 'EUR')),
    -- Requests submitted in the last `month_end_days` working days of a month cost
    -- `month_end_percent` more, so that documents do not pile up at month end.
    month_end_days INTEGER NOT NULL CHECK (month_end_days BETWEEN 0 AND 10),
    month_end_percent INTEGER NOT NULL CHECK (month_end_percent BETWEEN 0 AND 100),
    -- A month's credits are at most this share of its total.
    credit_cap_percent INTEGER NOT NULL CHECK (credit_cap_percent BETWEEN 0 AND 100),
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL
);

-- In minor units (分 for CNY) per resolved request.
CREATE TABLE price_list_prices (
    price_list_id INTEGER NOT NULL REFERENCES price_lists (id),
    type_id INTEGER NOT NULL REFERENCES request_types (id),
    amount_minor INTEGER NOT NULL CHECK (amount_minor >= 0),
    PRIMARY KEY (price_list_id, type_id)
);

-- Requests of each month a subsidiary of this tier gets free.
CREATE TABLE price_list_quotas (
    price_list_id INTEGER NOT NULL REFERENCES price_lists (id),
    tier_id INTEGER NOT NULL REFERENCES tiers (id),
    free_requests INTEGER NOT NULL CHECK (free_requests >= 0),
    PRIMARY KEY (price_list_id, tier_id)
);

-- The share of a request's price credited back when the center misses a target (奖惩).
CREATE TABLE price_list_credits (
    price_list_id INTEGER NOT NULL REFERENCES price_lists (id),
    type_id INTEGER NOT NULL REFERENCES request_types (id),
    tier_id INTEGER NOT NULL REFERENCES tiers (id),
    first_response_percent INTEGER NOT NULL CHECK (first_response_percent BETWEEN 0 AND 100),
    resolution_percent INTEGER NOT NULL CHECK (resolution_percent BETWEEN 0 AND 100),
    PRIMARY KEY (price_list_id, type_id, tier_id)
);
