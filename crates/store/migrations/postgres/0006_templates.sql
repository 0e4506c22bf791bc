-- Canned responses (issue 11). Tags and scope values are JSON arrays of text. Usage is a
-- count per template; per-agent use is one row per use, kept 90 days, for ranking only.
CREATE TABLE templates (
    id               TEXT PRIMARY KEY NOT NULL,
    tenant_id        TEXT NOT NULL REFERENCES tenants(id),
    name             TEXT NOT NULL,
    body             TEXT NOT NULL,
    description      TEXT NOT NULL,
    folder           TEXT,
    tags             TEXT NOT NULL,
    scope_kind       TEXT NOT NULL CHECK (scope_kind IN ('personal', 'projects', 'groups', 'global')),
    scope_values     TEXT NOT NULL,
    owner_account_id TEXT NOT NULL,
    created_at_ms    BIGINT NOT NULL,
    updated_at_ms    BIGINT NOT NULL,
    usage_count      BIGINT NOT NULL DEFAULT 0,
    last_used_at_ms  BIGINT
);
CREATE INDEX templates_tenant ON templates (tenant_id, name);

CREATE TABLE template_uses (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    template_id TEXT NOT NULL,
    account_id  TEXT NOT NULL,
    used_at_ms  BIGINT NOT NULL
);
CREATE INDEX template_uses_agent ON template_uses (tenant_id, account_id, used_at_ms);
CREATE INDEX template_uses_template ON template_uses (tenant_id, template_id);
CREATE INDEX template_uses_at ON template_uses (used_at_ms);
