-- API tokens: only the SHA-256 of each token is kept; the token itself is shown once.
-- Revoking deletes the row, so a revoked token leaves nothing behind.
CREATE TABLE api_tokens (
    id            TEXT PRIMARY KEY NOT NULL,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    account_id    TEXT NOT NULL,
    name          TEXT NOT NULL,
    scope         TEXT NOT NULL CHECK (scope IN ('admin', 'agent')),
    token_hash    TEXT NOT NULL UNIQUE,
    created_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX api_tokens_tenant ON api_tokens (tenant_id);
