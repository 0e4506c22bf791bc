-- Inbound processing: the tenant's profile, the Message-ID ↔ issue map and one result per
-- message the inbound worker handled.

-- The profile document (inbound part) as last imported; `version` counts imports so that
-- workers recompile it only when it changed. It holds no secret (secrets are references).
CREATE TABLE profiles (
    tenant_id     TEXT NOT NULL PRIMARY KEY REFERENCES tenants(id),
    document      TEXT NOT NULL,
    version       BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);

-- Thread map: a keyed hash of a Message-ID (never the id itself) → the issue it belongs to.
-- The Message-ID of the mail that created an issue is kept sealed in `root_message_id`,
-- because outbound mail names it in `References`.
CREATE TABLE thread_map (
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    id_hash         TEXT NOT NULL,
    issue_key       TEXT NOT NULL,
    root_message_id BYTEA,
    created_at_ms   BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id_hash)
);
CREATE INDEX thread_map_issue ON thread_map (tenant_id, issue_key);

-- What the inbound worker did with a message taken in, with its processing report sealed
-- (it names the sender and the subject). `sender_hash` is a keyed hash, for flood counts.
CREATE TABLE inbound_results (
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    intake_id       TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN
                        ('created', 'commented', 'ignored', 'held', 'rejected', 'failed')),
    issue_key       TEXT,
    comment_id      TEXT,
    sender_hash     TEXT,
    report          BYTEA NOT NULL,
    processed_at_ms BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, intake_id)
);
CREATE INDEX inbound_results_sender ON inbound_results (tenant_id, sender_hash, processed_at_ms);
CREATE INDEX inbound_results_processed ON inbound_results (processed_at_ms);

-- A Jira write for this message may have been sent: written (and committed) before the
-- first create or comment request, deleted with the result. A retried job finds it and
-- looks for what the earlier attempt made; without it, it knows nothing was sent.
CREATE TABLE inbound_attempts (
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    intake_id     TEXT NOT NULL,
    started_at_ms BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, intake_id)
);
