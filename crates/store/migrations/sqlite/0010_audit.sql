-- Audit: whether the raw mail of an intake row is kept for the retention period (1) or
-- deleted as soon as its processing is committed (0: `store_raw = false` on the mailbox or
-- listener it came through). The audit list reads intake rows newest first per tenant.
ALTER TABLE intake ADD COLUMN store_raw INTEGER NOT NULL DEFAULT 1 CHECK (store_raw IN (0, 1));
CREATE INDEX intake_tenant_received ON intake (tenant_id, received_at_ms);
