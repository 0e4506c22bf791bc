-- The agent's picker (issue 34).
-- template_revisions: a counter per tenant, raised by every create, change and delete of
-- its templates, so that each instance can tell whether its prepared search index is still
-- current with one indexed read instead of reloading every template.
CREATE TABLE template_revisions (
    tenant_id TEXT PRIMARY KEY NOT NULL REFERENCES tenants(id),
    revision  BIGINT NOT NULL
);

-- An agent's favourite templates, listed first in the picker.
CREATE TABLE template_favourites (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    account_id  TEXT NOT NULL,
    template_id TEXT NOT NULL,
    added_at_ms BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, account_id, template_id)
);

-- Insights: per week (Monday 00:00 UTC, Unix ms), template and agent, how often it was
-- inserted into a reply and how often posted. Counts only, never text; kept 365 days.
CREATE TABLE template_weekly (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    week_ms     BIGINT NOT NULL,
    template_id TEXT NOT NULL,
    account_id  TEXT NOT NULL,
    inserted    BIGINT NOT NULL DEFAULT 0,
    posted      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, week_ms, template_id, account_id)
);
CREATE INDEX template_weekly_week ON template_weekly (week_ms);

-- Local usage flags: per week and flag, a count; no account, no content. Kept 365 days and
-- never sent anywhere (`usage.flags = false` records nothing).
CREATE TABLE usage_flags (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    week_ms   BIGINT NOT NULL,
    flag      TEXT NOT NULL,
    count     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, week_ms, flag)
);
CREATE INDEX usage_flags_week ON usage_flags (week_ms);
