-- The coach's view tells the truth: when a client last wrote and since when
-- they are with their coach (for "no reply for a week"), whether the bot
-- slowed their rhythm, when they paused or resumed, when a suggestion was
-- answered, what a coach wants when the only news is private, and a moment
-- for the invitation that follows a session.

-- last_seen: the client's last message (kept to the hour). coach_since: when
-- the current coach_id was set. slowed_at: when the bot last slowed the
-- rhythm after unanswered invitations, NULL once the client chose a rhythm.
-- paused_at / resumed_at: the client's last /pause and /resume.
ALTER TABLE clients ADD COLUMN last_seen INTEGER;
ALTER TABLE clients ADD COLUMN coach_since INTEGER;
ALTER TABLE clients ADD COLUMN slowed_at INTEGER;
ALTER TABLE clients ADD COLUMN paused_at INTEGER;
ALTER TABLE clients ADD COLUMN resumed_at INTEGER;
UPDATE clients SET coach_since = created_at WHERE coach_id IS NOT NULL;

-- private_only: a digest whose only news is private check-ins is one line
-- ('line') or not sent ('none').
ALTER TABLE coaches ADD COLUMN private_only TEXT NOT NULL DEFAULT 'line' CHECK (private_only IN ('line', 'none'));

-- answered_at: when the client took, reshaped or declined it.
ALTER TABLE suggestions ADD COLUMN answered_at INTEGER;

-- A new kind of moment: after a session, one invitation to turn something
-- from it into an experiment ('after_session').
CREATE TABLE due_next (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	recipient_id TEXT NOT NULL,
	kind         TEXT NOT NULL CHECK (kind IN ('checkin', 'nudge', 'restday', 'eve', 'assessment', 'digest', 'brief', 'after_session')),
	date         TEXT NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
	at           INTEGER NOT NULL,
	status       TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'answered', 'dropped')),
	sent_at      INTEGER,
	UNIQUE (recipient_id, kind, date)
);
INSERT INTO due_next SELECT id, recipient_id, kind, date, at, status, sent_at FROM due;
DROP TABLE due;
ALTER TABLE due_next RENAME TO due;
CREATE INDEX due_status_at ON due (status, at);
CREATE INDEX due_recipient_at ON due (recipient_id, at);
