-- A site's own SMTP relay, for an instance whose postroom.toml sets no [outbound]: the
-- site's mail then leaves through it. Its password is sealed in tenant_secrets
-- (`smtp_password`). NULL host: no relay of its own.
ALTER TABLE tenants ADD COLUMN smtp_host TEXT;
ALTER TABLE tenants ADD COLUMN smtp_port INTEGER;
ALTER TABLE tenants ADD COLUMN smtp_security TEXT;
ALTER TABLE tenants ADD COLUMN smtp_username TEXT;
-- Who made a stored secret, where it matters to the administrator: `sandbox` for the
-- webhook secret `serve --sandbox` made at its start; NULL: set for the site (console or
-- CLI).
ALTER TABLE tenant_secrets ADD COLUMN made_by TEXT;

-- The tests an administrator sends (Settings → Outbound mail, and the notification editor)
-- are recorded like any mail postroom sends, as kind `test`. SQLite cannot change a CHECK
-- constraint in place, so the table is rebuilt.
CREATE TABLE sent_mail_next (
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    id              TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('acknowledgement', 'notice', 'notification', 'test')),
    issue_key       TEXT,
    recipient_hash  TEXT NOT NULL,
    message_id_hash TEXT NOT NULL,
    facts           BLOB NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'skipped', 'failed')),
    detail          TEXT,
    created_at_ms   INTEGER NOT NULL,
    sent_at_ms      INTEGER,
    batch           TEXT,
    mime_key        TEXT,
    PRIMARY KEY (tenant_id, id)
) STRICT;
INSERT INTO sent_mail_next (tenant_id, id, kind, issue_key, recipient_hash, message_id_hash,
                            facts, status, detail, created_at_ms, sent_at_ms, batch, mime_key)
    SELECT tenant_id, id, kind, issue_key, recipient_hash, message_id_hash,
           facts, status, detail, created_at_ms, sent_at_ms, batch, mime_key
    FROM sent_mail;
DROP TABLE sent_mail;
ALTER TABLE sent_mail_next RENAME TO sent_mail;
CREATE INDEX sent_mail_recipient ON sent_mail (tenant_id, recipient_hash, created_at_ms);
CREATE INDEX sent_mail_message_id ON sent_mail (tenant_id, message_id_hash);
CREATE INDEX sent_mail_created ON sent_mail (created_at_ms);
CREATE UNIQUE INDEX sent_mail_batch ON sent_mail (tenant_id, batch, recipient_hash);
