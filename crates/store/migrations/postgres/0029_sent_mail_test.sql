-- Outbound grows the test an administrator sends from the console's notification editor
-- (kind `test`): recorded, sealed and sent like a notification, so that it shows in the
-- audit of sent mail, and counted for the per-site cap on tests.
ALTER TABLE sent_mail DROP CONSTRAINT sent_mail_kind_check;
ALTER TABLE sent_mail ADD CONSTRAINT sent_mail_kind_check
    CHECK (kind IN ('acknowledgement', 'notice', 'notification', 'test'));
-- The per-site cap counts a site's tests of the last hour.
CREATE INDEX sent_mail_kind ON sent_mail (tenant_id, kind, created_at_ms);
