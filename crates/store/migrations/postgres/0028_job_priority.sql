-- The hand-out order within a tenant: 0 for live work, 1 for a bulk import
-- (`postroom process --bulk`), so that an import never holds back mail as it arrives.
-- Tenants still take turns first; the priority orders only one tenant's jobs.
ALTER TABLE jobs ADD COLUMN priority BIGINT NOT NULL DEFAULT 0;
