-- A session signed in through Jira's OAuth keeps that sign-in's tokens, sealed with the
-- tenant's data key and bound to the session's row, so that postroom can ask the provider
-- every few minutes whether the account's access still stands: a revoked grant, or an
-- account that no longer reaches the site, ends the session. checked_at_ms is when that
-- was last asked (the sign-in itself for a new session); sessions from one-time links
-- have no grant.
ALTER TABLE console_sessions ADD COLUMN grant_sealed BYTEA;
ALTER TABLE console_sessions ADD COLUMN checked_at_ms BIGINT NOT NULL DEFAULT 0;
