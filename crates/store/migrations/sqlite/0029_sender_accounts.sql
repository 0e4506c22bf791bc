-- The Jira account each sender's address belongs to, as postroom last looked it up: one
-- row per tenant, keyed hash of the address and kind (`user`: the one active Jira user
-- with the address; `customer`: the JSM customer account postroom made or found). A NULL
-- account is a lookup that found none, remembered too. Rows are trusted for a bounded
-- time, purged hourly after it, and erased with the person.
CREATE TABLE sender_accounts (
    tenant_id        TEXT NOT NULL REFERENCES tenants(id),
    address_hash     TEXT NOT NULL,
    kind             TEXT NOT NULL,
    account          BLOB,
    looked_up_at_ms  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, address_hash, kind)
) STRICT;
CREATE INDEX sender_accounts_age ON sender_accounts (tenant_id, looked_up_at_ms);
