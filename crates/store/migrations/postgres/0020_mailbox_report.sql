-- How each mailbox's latest poll went, for the console's overview: the problem now (a
-- fixed phrase naming the kind of failure, never a server's words; NULL once a poll goes
-- through), since when, and how many messages wait after the cursor.
ALTER TABLE mailbox_state ADD COLUMN problem TEXT;
ALTER TABLE mailbox_state ADD COLUMN problem_at_ms BIGINT;
ALTER TABLE mailbox_state ADD COLUMN waiting BIGINT;
