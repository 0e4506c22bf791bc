-- One row per API request, kept 7 days. No tokens, no bodies; the IP is truncated.
-- tenant_id is empty for requests that did not authenticate.
CREATE TABLE access_log (
    id         BIGSERIAL PRIMARY KEY,
    at_ms      BIGINT NOT NULL,
    method     TEXT NOT NULL,
    route      TEXT NOT NULL,
    status     BIGINT NOT NULL,
    tenant_id  TEXT REFERENCES tenants(id),
    account_id TEXT,
    ip         TEXT
);
CREATE INDEX access_log_at ON access_log (at_ms);
CREATE INDEX access_log_tenant ON access_log (tenant_id, at_ms);
