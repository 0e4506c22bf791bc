-- Outbound grows two kinds of mail: the notice to a sender whose mail was refused, and
-- the notification of a Jira event. A notification goes to several people as one message
-- (one Message-ID) sent once per recipient, each with its own row and VERP token, so that
-- one recipient's refusal does not hold back the others: `batch` names the message the rows
-- share and `mime_key` its full MIME in the blob store (kept shorter than the row).
ALTER TABLE sent_mail DROP CONSTRAINT sent_mail_kind_check;
ALTER TABLE sent_mail ADD CONSTRAINT sent_mail_kind_check
    CHECK (kind IN ('acknowledgement', 'notice', 'notification'));
ALTER TABLE sent_mail ADD COLUMN batch TEXT;
ALTER TABLE sent_mail ADD COLUMN mime_key TEXT;
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
    payload         BYTEA,
    received_at_ms  BIGINT NOT NULL,
    done_at_ms      BIGINT,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, identifier_hash)
);
CREATE INDEX webhook_events_received ON webhook_events (received_at_ms);

-- An issue or comment made from a customer's mail is not notified back to that customer:
-- the notification job finds the mail's sender by the issue and comment.
CREATE INDEX inbound_results_issue ON inbound_results (tenant_id, issue_key, comment_id);
