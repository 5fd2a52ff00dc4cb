-- The coach's web view. A coach opens it with a one-time link the bot sends
-- (/dashboard); opening the link starts a session in the browser. Both are
-- random tokens of which only the SHA-256 is kept, so the file never holds a
-- token that works. A link is used once (used_at) and expires after minutes;
-- a session lasts web.session. Tokens go with their coach.
CREATE TABLE web_tokens (
	hash       TEXT PRIMARY KEY,
	coach_id   TEXT NOT NULL REFERENCES coaches (id) ON DELETE CASCADE,
	kind       TEXT NOT NULL CHECK (kind IN ('link', 'session')),
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at    INTEGER
) WITHOUT ROWID;
CREATE INDEX web_tokens_coach ON web_tokens (coach_id, kind);
CREATE INDEX web_tokens_expires ON web_tokens (expires_at);
