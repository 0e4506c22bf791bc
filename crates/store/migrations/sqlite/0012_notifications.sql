-- Outbound grows two kinds of mail: the notice to a sender whose mail was refused, and
-- the notification of a Jira event. A notification goes to several people as one message
-- (one Message-ID) sent once per recipient, each with its own row and VERP token, so that
-- one recipient's refusal does not hold back the others: `batch` names the message the rows
-- share and `mime_key` its full MIME in the blob store (kept shorter than the row).
-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt.
CREATE TABLE sent_mail_next (
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    id              TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('acknowledgement', 'notice', 'notification')),
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
                            facts, status, detail, created_at_ms, sent_at_ms)
    SELECT tenant_id, id, kind, issue_key, recipient_hash, message_id_hash,
           facts, status, detail, created_at_ms, sent_at_ms
    FROM sent_mail;
DROP TABLE sent_mail;
ALTER TABLE sent_mail_next RENAME TO sent_mail;
CREATE INDEX sent_mail_recipient ON sent_mail (tenant_id, recipient_hash, created_at_ms);
CREATE INDEX sent_mail_message_id ON sent_mail (tenant_id, message_id_hash);
CREATE INDEX sent_mail_created ON sent_mail (created_at_ms);
-- One copy per recipient and message: two workers planning the same event (Jira delivers
-- a comment twice, once per event name) cannot both queue it.
CREATE UNIQUE INDEX sent_mail_batch ON sent_mail (tenant_id, batch, recipient_hash);

-- Jira webhook deliveries a notification rule wanted. `identifier_hash` (keyed hash of
-- `X-Atlassian-Webhook-Identifier`) makes a redelivery a no-op; `payload` (sealed) is
-- cleared once the event is processed, and the row itself is kept only as long as a
-- redelivery is plausible. Deliveries no rule wants are never written.
CREATE TABLE webhook_events (
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    id              TEXT NOT NULL,
    identifier_hash TEXT NOT NULL,
    event           TEXT NOT NULL,
    payload         BLOB,
    received_at_ms  INTEGER NOT NULL,
    done_at_ms      INTEGER,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, identifier_hash)
) STRICT;
CREATE INDEX webhook_events_received ON webhook_events (received_at_ms);

-- An issue or comment made from a customer's mail is not notified back to that customer:
-- the notification job finds the mail's sender by the issue and comment.
CREATE INDEX inbound_results_issue ON inbound_results (tenant_id, issue_key, comment_id);
