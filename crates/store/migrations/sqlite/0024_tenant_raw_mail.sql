-- A site's own opt-out of the raw-mail audit (`tenant set --store-raw false`): 0 deletes
-- each raw mail of the tenant as soon as its processing is committed, whatever the mailbox
-- or listener says; 1 (the default) leaves it to them.
ALTER TABLE tenants ADD COLUMN store_raw INTEGER NOT NULL DEFAULT 1 CHECK (store_raw IN (0, 1));
