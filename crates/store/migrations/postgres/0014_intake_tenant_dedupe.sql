-- One message is one message whatever the path: deduplication is per tenant, no longer per
-- mailbox, so the same mail reaching a tenant through several mailboxes, own addresses, the
-- listener and an import is taken in once. Rows written before keep their own hashes, made
-- unique per mailbox by prefixing the mailbox name (they were unique per mailbox, and no new
-- hash has that form, so they are never matched again).
UPDATE intake SET dedupe_hash = 'mailbox:' || mailbox || ':' || dedupe_hash WHERE status = 'queued';
DROP INDEX intake_dedupe;
CREATE UNIQUE INDEX intake_dedupe_tenant ON intake (tenant_id, dedupe_hash);
