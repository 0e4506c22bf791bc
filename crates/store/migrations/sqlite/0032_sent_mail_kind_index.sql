-- The tests an administrator sends (kind `test`, added by 0031: Settings → Outbound mail
-- and the notification editor) are capped per site and hour; the cap counts a site's
-- tests of the last hour.
CREATE INDEX sent_mail_kind ON sent_mail (tenant_id, kind, created_at_ms);
