-- A site's own retention period per kind of audit data (`tenant set --reports-days`,
-- `--sent-mail-days`; `PUT /api/v1/settings/retention`), each within the operator's
-- `[retention] min_days`/`max_days`. `retention_days` stays the period of intake records
-- and raw mail; a site that chose one period before keeps it for every kind.
ALTER TABLE tenants ADD COLUMN reports_days INTEGER;
ALTER TABLE tenants ADD COLUMN sent_mail_days INTEGER;
UPDATE tenants SET reports_days = retention_days, sent_mail_days = retention_days;
