-- Polled updates are stored as they arrive, with the offset after them, before
-- the platform is told they were received; a batch is removed once every
-- update in it is handled. Batches are few and short-lived.
CREATE TABLE inbox (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL,
	updates     BLOB NOT NULL,
	received_at INTEGER NOT NULL
);
