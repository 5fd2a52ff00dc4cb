-- A proactive message is marked 'sending' just before it goes out. A crash
-- leaves it neither pending nor sent: it may have arrived, so it is never sent
-- again, and an invitation cut short by a crash arrives at most once.
CREATE TABLE outbox_next (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	platform   TEXT NOT NULL,
	chat_id    TEXT NOT NULL,
	payload    TEXT NOT NULL,
	status     TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'dropped')),
	attempts   INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	sent_at    INTEGER,
	reason     TEXT NOT NULL DEFAULT ''
);
INSERT INTO outbox_next SELECT id, platform, chat_id, payload, status, attempts, created_at, sent_at, reason FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_next RENAME TO outbox;
