-- Jira Cloud sites that installed the Forge app, one tenant each. The site (cloud id, API
-- base URL) is what the installation's invocation tokens name; the app system token itself
-- is sealed in tenant_secrets, only its expiry is here so that waiting work can be shown
-- without opening it.
CREATE TABLE forge_installations (
    installation_id     TEXT PRIMARY KEY,
    tenant_id           TEXT NOT NULL UNIQUE REFERENCES tenants(id),
    cloud_id            TEXT NOT NULL,
    api_base_url        TEXT NOT NULL,
    installed_at_ms     INTEGER NOT NULL,
    -- Set by the uninstall event; the tenant is erased erase_after_days later unless the
    -- site installs the app again first.
    uninstalled_at_ms   INTEGER,
    -- The licence the latest invocation token carried: 1 active, 0 inactive, NULL none
    -- (development, free or private installs, which count as licensed).
    licence_active      INTEGER,
    token_expires_at_ms INTEGER,
    updated_at_ms       INTEGER NOT NULL
) STRICT;

-- The lifecycle events taken, by the event's own id: Forge retries a delivery up to four
-- times, and a repeated or late event must change nothing.
CREATE TABLE forge_lifecycle_events (
    tenant_id      TEXT NOT NULL REFERENCES tenants(id),
    event_id       TEXT NOT NULL,
    received_at_ms INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, event_id)
) STRICT;
