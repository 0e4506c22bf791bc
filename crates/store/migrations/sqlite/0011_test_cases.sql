-- Test cases: a real mail (sealed in the blob store under `testcase/<id>`) with the plan it
-- is expected to produce, sealed too (it names the sender and the subject). Kept until an
-- administrator removes them (`postroom testcase remove`) or the tenant is erased.
CREATE TABLE test_cases (
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    id            TEXT NOT NULL,
    name          TEXT NOT NULL,
    expected      BLOB NOT NULL,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;
