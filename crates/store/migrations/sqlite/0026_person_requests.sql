-- Each request about a person's data (`postroom person find|export|erase`, /api/v1/people):
-- who asked, what, when and how much was found or erased. Nothing in it says whose data,
-- so erasing that person leaves nothing behind here.
CREATE TABLE person_requests (
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    id              TEXT NOT NULL,
    action          TEXT NOT NULL CHECK (action IN ('find', 'export', 'erase')),
    subject         TEXT NOT NULL CHECK (subject IN ('address', 'account')),
    deep            INTEGER NOT NULL CHECK (deep IN (0, 1)),
    requested_by    TEXT NOT NULL,
    requested_at_ms INTEGER NOT NULL,
    outcome         TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE INDEX person_requests_at ON person_requests (tenant_id, requested_at_ms);
