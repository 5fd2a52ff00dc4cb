-- The outbox is written for every reply, so it carries only what delivery needs:
-- no JSON check on the payload (it is written by json.Marshal) and no index on
-- chat_id. Forget, which is rare, finds a chat's rows by scanning, and deletes
-- sent ones too: they quote what the client wrote.
CREATE TABLE outbox_next (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	platform   TEXT NOT NULL,
	chat_id    TEXT NOT NULL,
	payload    TEXT NOT NULL,
	status     TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'dropped')),
	attempts   INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	sent_at    INTEGER,
	reason     TEXT NOT NULL DEFAULT ''
);
INSERT INTO outbox_next SELECT id, platform, chat_id, payload, status, attempts, created_at, sent_at, reason FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_next RENAME TO outbox;
CREATE INDEX outbox_pending ON outbox (platform, id) WHERE status = 'pending';
