-- Outbound mail postroom sent (acknowledgements now, notifications later) and the
-- tenant's suppression list fed by bounces of that mail.

-- One row per outbound message. `id` is also the VERP token of its return path, so a
-- bounce names the row it is about; `message_id_hash` (keyed hash) finds it from a bounce
-- that only quotes the original Message-ID. The recipient and what the message says are
-- sealed in `facts`; `recipient_hash` (keyed hash) counts mail per address per hour.
CREATE TABLE sent_mail (
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    id              TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('acknowledgement')),
    issue_key       TEXT,
    recipient_hash  TEXT NOT NULL,
    message_id_hash TEXT NOT NULL,
    facts           BYTEA NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'skipped', 'failed')),
    detail          TEXT,
    created_at_ms   BIGINT NOT NULL,
    sent_at_ms      BIGINT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX sent_mail_recipient ON sent_mail (tenant_id, recipient_hash, created_at_ms);
CREATE INDEX sent_mail_message_id ON sent_mail (tenant_id, message_id_hash);
CREATE INDEX sent_mail_created ON sent_mail (created_at_ms);

-- Addresses whose mail bounced. `suppressed` turns on at the first hard bounce or after the
-- profile's soft limit; outbound mail skips suppressed addresses (and counts it in
-- `withheld`) until an administrator clears the row. Address and diagnostic sealed.
CREATE TABLE suppressions (
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    address_hash  TEXT NOT NULL,
    address       BYTEA NOT NULL,
    hard          BIGINT NOT NULL,
    failures      BIGINT NOT NULL,
    suppressed    BIGINT NOT NULL,
    status        TEXT,
    diagnostic    BYTEA,
    withheld      BIGINT NOT NULL DEFAULT 0,
    first_at_ms   BIGINT NOT NULL,
    last_at_ms    BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, address_hash)
);
