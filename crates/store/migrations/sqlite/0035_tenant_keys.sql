-- Each tenant's data key when keys are kept by AWS KMS (`[keys] kms`): the ARN of the
-- tenant's own KMS key and the data key as KMS wrapped it (bound to the tenant by its
-- encryption context). Only KMS can unwrap it, so a copy of this table is of no use once
-- the KMS key is disabled. Deleted with the tenant, after its KMS key was disabled.
CREATE TABLE tenant_keys (
    tenant_id      TEXT NOT NULL PRIMARY KEY REFERENCES tenants(id),
    kms_key        TEXT NOT NULL,
    wrapped        BLOB NOT NULL,
    created_at_ms  INTEGER NOT NULL,
    updated_at_ms  INTEGER NOT NULL
) STRICT;
