-- Every saved version of a tenant's profile, written in the same transaction as the save
-- (`profile import`, `PUT /api/v1/profile`, a restore, `inbound.profile` at start), with
-- who saved it: the Jira account id of the console or API caller, or `cli`, `config`,
-- `sandbox` for saves without one. Like `profiles.document` it holds the site's own
-- configuration (secrets only as references), so it is stored as the profile is.
-- Kept 365 days or the last 50 versions, whichever keeps more (pruned by the retention
-- job); the account id is erased with the person.
CREATE TABLE profile_versions (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    version     BIGINT NOT NULL,
    document    TEXT NOT NULL,
    saved_by    TEXT NOT NULL,
    saved_at_ms BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, version)
);

-- The profile stored before versions were kept is its first kept version; who saved it is
-- not known.
INSERT INTO profile_versions (tenant_id, version, document, saved_by, saved_at_ms)
SELECT tenant_id, version, document, '(unknown)', updated_at_ms FROM profiles;
