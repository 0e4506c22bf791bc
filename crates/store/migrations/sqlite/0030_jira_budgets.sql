-- Request budgets shared by every instance on this database (issue 28): the Forge app's
-- hourly quota (`forge-app`) as a token bucket that instances draw from in small leases,
-- and the pauses Jira asked for (`site:TENANT` for a site's quota, `forge-app` for the
-- app's), so that a pause one instance was told of holds the others back too. No person's
-- data: names, counts and times.
CREATE TABLE jira_budgets (
    name             TEXT NOT NULL PRIMARY KEY,
    tenant_id        TEXT,
    tokens           REAL NOT NULL,
    granted          REAL NOT NULL,
    refilled_at_ms   INTEGER NOT NULL,
    paused_until_ms  INTEGER NOT NULL
) STRICT;
