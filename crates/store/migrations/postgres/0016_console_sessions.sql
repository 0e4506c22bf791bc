-- Console sessions: only the SHA-256 of each session's secret (the cookie) is kept, so a
-- copy of the database signs nobody in. A session ends at expires_at_ms (its absolute
-- lifetime, at most 12 hours) or when last_seen_ms is older than the idle timeout.
CREATE TABLE console_sessions (
    id_hash       TEXT PRIMARY KEY NOT NULL,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    account_id    TEXT NOT NULL,
    via           TEXT NOT NULL CHECK (via IN ('link', 'oauth')),
    created_at_ms BIGINT NOT NULL,
    last_seen_ms  BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL
);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at_ms);
CREATE INDEX console_sessions_account ON console_sessions (tenant_id, account_id);

-- One-time sign-in links (`postroom console link`): the hash of the token, for 10 minutes;
-- redeeming deletes the row, so a link works once.
CREATE TABLE console_links (
    token_hash    TEXT PRIMARY KEY NOT NULL,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    account_id    TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL
);
CREATE INDEX console_links_expiry ON console_links (expires_at_ms);
