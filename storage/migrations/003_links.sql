-- A person is one client across platforms only when they link accounts on
-- purpose: a short-lived code made on one platform, entered on the other.
CREATE TABLE link_codes (
	code       TEXT PRIMARY KEY,
	client_id  TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
	expires_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Another platform's user ID that speaks for a client.
CREATE TABLE aliases (
	user_id   TEXT PRIMARY KEY,
	client_id TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX aliases_client ON aliases (client_id);
