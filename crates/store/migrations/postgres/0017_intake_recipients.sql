-- The site's own addresses each message taken in was delivered to, as the SMTP or LMTP
-- envelope said (`RCPT TO`), for every delivery of the message, duplicates included:
-- routing sees them beside the headers' recipients, so that a Bcc to an own address, or the
-- same message delivered to several own addresses and kept once, still reaches the rules
-- written for each address. Deleted with the intake row.
CREATE TABLE intake_recipients (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    intake_id TEXT NOT NULL,
    address   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, intake_id, address)
);
