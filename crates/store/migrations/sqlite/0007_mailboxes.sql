-- IMAP mailbox state: how far each mailbox was read (UIDVALIDITY and last UID) and which
-- instance holds its polling lease. No addresses or message data: the mailbox is named by
-- the operator's label. The row lives as long as the mailbox is configured.
CREATE TABLE mailbox_state (
    tenant_id      TEXT NOT NULL REFERENCES tenants(id),
    mailbox        TEXT NOT NULL,
    uid_validity   INTEGER,
    last_uid       INTEGER,
    lease_holder   TEXT,
    lease_until_ms INTEGER NOT NULL DEFAULT 0,
    updated_at_ms  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, mailbox)
) STRICT;
