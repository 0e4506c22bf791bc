-- One row per Jira site. Every other table references tenants(id).
CREATE TABLE tenants (
    id            TEXT PRIMARY KEY NOT NULL,
    jira_url      TEXT,
    jira_auth     TEXT,
    jira_account  TEXT,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);
