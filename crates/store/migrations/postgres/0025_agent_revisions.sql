-- The agent's picker (issue 34), per agent: a counter per tenant and agent, raised by each
-- of the agent's template uses and favourite marks, so that an instance can keep the
-- agent's recent uses and favourites between searches and tell with one indexed read
-- whether they are still current (another instance may have changed them).
CREATE TABLE template_agent_revisions (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    account_id TEXT NOT NULL,
    revision   BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, account_id)
);
