-- A Message-ID is not proof of identity: from now on `dedupe_hash` is the SHA-256 of the
-- Message-ID hash together with a digest of the content (From, Date, Subject, decoded parts),
-- so a second mail reusing a Message-ID is taken in as its own message. The Message-ID's
-- SHA-256 is kept on its own (NULL without one, and for refusals) so that such a mail can
-- be found and its report warn about the reuse. Rows written before keep NULL: their
-- hashes were of the Message-ID alone.
ALTER TABLE intake ADD COLUMN message_id_sha256 TEXT;
CREATE INDEX intake_message_id ON intake (tenant_id, message_id_sha256);
