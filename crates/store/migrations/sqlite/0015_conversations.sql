-- Conversations carried out in order. `conversation_places` holds, for each message taken
-- in and not carried out yet, where it stands in its conversation: keyed hashes of its own
-- Message-ID and of the conversation's first one, its depth and its Date. A worker about to
-- plan a message waits while an earlier message of the same conversation (or one it
-- answers) still has a row here. The row goes with the message's result (a message held for
-- review keeps it until it is released), so the table holds only work in flight.
CREATE TABLE conversation_places (
    tenant_id      TEXT NOT NULL REFERENCES tenants(id),
    intake_id      TEXT NOT NULL,
    message_key    TEXT,
    thread_key     TEXT NOT NULL,
    depth          INTEGER NOT NULL,
    sent_at_ms     INTEGER NOT NULL,
    received_at_ms INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, intake_id)
) STRICT;
CREATE INDEX conversation_places_thread ON conversation_places (tenant_id, thread_key);
CREATE INDEX conversation_places_message ON conversation_places (tenant_id, message_key);

-- One worker at a time plans and carries out a message of a conversation: the claim names
-- the conversation (the keyed hash of its first Message-ID) and the message being worked on.
-- It goes in the same commit as that message's result; a claim older than the wait limit
-- (its worker died for good) may be taken over.
CREATE TABLE conversation_claims (
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    thread_key    TEXT NOT NULL,
    intake_id     TEXT NOT NULL,
    claimed_at_ms INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, thread_key)
) STRICT;
CREATE INDEX conversation_claims_intake ON conversation_claims (tenant_id, intake_id);
