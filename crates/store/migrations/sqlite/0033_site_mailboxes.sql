-- The IMAP mailboxes a site's administrator added in the console. `settings` holds what is
-- not secret (server, port, security, the user, folders; JSON), `sealed` the one credential
-- (a password, or the refresh token a Google or Microsoft consent handed over), sealed with
-- the tenant's data key. `provider` (google, microsoft) marks a connected mailbox, whose
-- OAuth app is the instance's `console.oauth_google` / `console.oauth_microsoft`.
-- `revision` moves with every edit, so that `serve` restarts the mailbox's poller; a
-- rotated refresh token does not move it.
CREATE TABLE site_mailboxes (
    tenant_id            TEXT NOT NULL REFERENCES tenants(id),
    name                 TEXT NOT NULL,
    settings             TEXT NOT NULL,
    provider             TEXT,
    sealed               BLOB,
    revision             INTEGER NOT NULL,
    created_at_ms        INTEGER NOT NULL,
    updated_at_ms        INTEGER NOT NULL,
    updated_by           TEXT,
    secret_updated_at_ms INTEGER,
    PRIMARY KEY (tenant_id, name)
) STRICT;
