-- Each site's secrets, kept in the store instead of postroom.toml so that sites can be added
-- while postroom runs: the credential postroom reaches the site's Jira with, and the secret
-- Jira signs the site's webhooks with. Each value is sealed with the tenant's data key (so
-- erasing the tenant shreds it with the rest) at the place tenant_secrets.sealed/NAME.
CREATE TABLE tenant_secrets (
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    name          TEXT NOT NULL,
    sealed        BLOB NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, name)
) STRICT;

-- The site's own retention period for its audit data, in days; NULL keeps the operator's
-- (`[inbound] retention_days`), which is also the most a site may choose.
ALTER TABLE tenants ADD COLUMN retention_days INTEGER;
