-- Intake: one row per message taken in (or refused) from a source, before any processing.
-- The raw bytes are an encrypted blob (`<tenant>/inbound/<id>`); this row holds no content.
-- `dedupe_hash` is the SHA-256 of the Message-ID (or of the bytes when there is none): a
-- message delivered twice to one mailbox is taken in once. A refused row uses its own id.
CREATE TABLE intake (
    id             TEXT NOT NULL,
    tenant_id      TEXT NOT NULL REFERENCES tenants(id),
    mailbox        TEXT NOT NULL,
    source         TEXT NOT NULL CHECK (source IN ('listener', 'upload', 'file', 'mailbox')),
    dedupe_hash    TEXT NOT NULL,
    size           INTEGER NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('queued', 'refused')),
    reason         TEXT,
    received_at_ms INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE UNIQUE INDEX intake_dedupe ON intake (tenant_id, mailbox, dedupe_hash);
CREATE INDEX intake_received ON intake (received_at_ms);
