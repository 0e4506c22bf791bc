-- Outbound grows the test an administrator sends from the console's notification editor
-- (kind `test`): recorded, sealed and sent like a notification, so that it shows in the
-- audit of sent mail, and counted for the per-site cap on tests.
-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt.
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
-- The per-site cap counts a site's tests of the last hour.
CREATE INDEX sent_mail_kind ON sent_mail (tenant_id, kind, created_at_ms);
