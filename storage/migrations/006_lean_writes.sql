-- Every answer rewrites its conversation and every reply adds an outbox row,
-- so both carry only what they need. The conversation's answers are written by
-- json.Marshal and need no JSON check. Pending outbox rows are found by walking
-- the table from the last row read, which is near its end, so they need no
-- index of their own.
CREATE TABLE conversations_next (
	chat_id    TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL,
	flow       TEXT NOT NULL,
	step       TEXT NOT NULL,
	version    INTEGER NOT NULL,
	answers    TEXT NOT NULL DEFAULT '{}',
	token      TEXT NOT NULL DEFAULT '',
	deadline   INTEGER,
	updated_at INTEGER NOT NULL
);
INSERT INTO conversations_next SELECT chat_id, user_id, flow, step, version, answers, token, deadline, updated_at FROM conversations;
DROP TABLE conversations;
ALTER TABLE conversations_next RENAME TO conversations;
CREATE INDEX conversations_user ON conversations (user_id);
DROP INDEX outbox_pending;
