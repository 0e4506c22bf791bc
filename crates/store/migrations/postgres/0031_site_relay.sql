-- A site's own SMTP relay, for an instance whose postroom.toml sets no [outbound]: the
-- site's mail then leaves through it. Its password is sealed in tenant_secrets
-- (`smtp_password`). NULL host: no relay of its own.
ALTER TABLE tenants ADD COLUMN smtp_host TEXT;
ALTER TABLE tenants ADD COLUMN smtp_port BIGINT;
ALTER TABLE tenants ADD COLUMN smtp_security TEXT;
ALTER TABLE tenants ADD COLUMN smtp_username TEXT;
-- Who made a stored secret, where it matters to the administrator: `sandbox` for the
-- webhook secret `serve --sandbox` made at its start; NULL: set for the site (console or
-- CLI).
ALTER TABLE tenant_secrets ADD COLUMN made_by TEXT;

-- The tests an administrator sends (Settings → Outbound mail, and the notification editor)
-- are recorded like any mail postroom sends, as kind `test`.
ALTER TABLE sent_mail DROP CONSTRAINT sent_mail_kind_check;
ALTER TABLE sent_mail ADD CONSTRAINT sent_mail_kind_check
    CHECK (kind IN ('acknowledgement', 'notice', 'notification', 'test'));
