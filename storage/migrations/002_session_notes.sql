-- What a client wants to bring to their next session.
CREATE TABLE session_notes (
	id        INTEGER PRIMARY KEY,
	client_id TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
	text      TEXT NOT NULL,
	private   INTEGER NOT NULL DEFAULT 0 CHECK (private IN (0, 1)),
	at        INTEGER
);
CREATE INDEX session_notes_client ON session_notes (client_id, at);
