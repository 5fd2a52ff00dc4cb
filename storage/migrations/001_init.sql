-- The first schema of coachbot.
--
-- Conventions: times are INTEGER unix milliseconds (UTC), NULL for "no time";
-- booleans are INTEGER 0/1; optional references are NULL rather than ''.
-- Foreign keys are immediate (never deferred): several updates share one
-- commit, and a violation must fail the one update that caused it, not the
-- whole commit.

-- Inbound platform updates already handled, so a redelivery is ignored.
CREATE TABLE seen_updates (
	update_id TEXT PRIMARY KEY,
	at        INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX seen_updates_at ON seen_updates (at);

-- The durable state of each chat's current flow.
CREATE TABLE conversations (
	chat_id    TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL,
	flow       TEXT NOT NULL,
	step       TEXT NOT NULL,
	version    INTEGER NOT NULL,
	answers    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(answers)),
	token      TEXT NOT NULL DEFAULT '',
	deadline   INTEGER,
	updated_at INTEGER NOT NULL
);
CREATE INDEX conversations_user ON conversations (user_id);

CREATE TABLE coaches (
	id             TEXT PRIMARY KEY,
	chat_id        TEXT NOT NULL,
	name           TEXT NOT NULL DEFAULT '',
	zone           TEXT NOT NULL DEFAULT '',
	digest_at      TEXT NOT NULL DEFAULT '',
	digest_weekly  INTEGER NOT NULL DEFAULT 0 CHECK (digest_weekly IN (0, 1)),
	digest_weekday INTEGER NOT NULL DEFAULT 0 CHECK (digest_weekday BETWEEN 0 AND 6),
	-- Set when the platform refuses delivery to chat_id.
	unreachable    INTEGER NOT NULL DEFAULT 0 CHECK (unreachable IN (0, 1)),
	created_at     INTEGER NOT NULL
);
CREATE INDEX coaches_chat ON coaches (chat_id);

CREATE TABLE clients (
	id           TEXT PRIMARY KEY,
	chat_id      TEXT NOT NULL,
	name         TEXT NOT NULL DEFAULT '',
	consented    INTEGER NOT NULL DEFAULT 0 CHECK (consented IN (0, 1)),
	zone         TEXT NOT NULL DEFAULT '',
	check_in     TEXT NOT NULL DEFAULT '',
	rest_days    TEXT NOT NULL DEFAULT '',
	cadence      TEXT NOT NULL DEFAULT '',
	coach_id     TEXT REFERENCES coaches (id) ON DELETE SET NULL,
	paused_until INTEGER,
	unreachable  INTEGER NOT NULL DEFAULT 0 CHECK (unreachable IN (0, 1)),
	unanswered   INTEGER NOT NULL DEFAULT 0 CHECK (unanswered >= 0),
	last_session INTEGER,
	next_session INTEGER,
	anchor       TEXT NOT NULL DEFAULT '',
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL
);
CREATE INDEX clients_coach ON clients (coach_id);
CREATE INDEX clients_chat ON clients (chat_id);

-- AUTOINCREMENT where an ID travels in buttons: an ID is never reused after
-- a client is forgotten, so a stale button cannot reach someone else's row.
CREATE TABLE experiments (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	client_id    TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
	kind         TEXT NOT NULL CHECK (kind IN ('action', 'rest', 'boundary', 'observe', 'integrate')),
	action       TEXT NOT NULL DEFAULT '',
	why          TEXT NOT NULL DEFAULT '',
	when_text    TEXT NOT NULL DEFAULT '',
	energy       INTEGER NOT NULL DEFAULT 0 CHECK (energy BETWEEN 0 AND 5),
	load         TEXT NOT NULL DEFAULT '' CHECK (load IN ('', 'low', 'medium', 'high')),
	people       TEXT NOT NULL DEFAULT '',
	recovery     TEXT NOT NULL DEFAULT '',
	carry        INTEGER NOT NULL DEFAULT 0 CHECK (carry BETWEEN 0 AND 10),
	status       TEXT NOT NULL CHECK (status IN ('running', 'paused', 'closed')),
	suggested_by TEXT REFERENCES coaches (id) ON DELETE SET NULL,
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL
);
CREATE INDEX experiments_client ON experiments (client_id, status);

CREATE TABLE check_ins (
	id            INTEGER PRIMARY KEY,
	client_id     TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
	experiment_id INTEGER REFERENCES experiments (id) ON DELETE CASCADE,
	outcome       TEXT NOT NULL CHECK (outcome IN ('done', 'partly', 'adapted', 'not_yet', 'rest')),
	noticed       TEXT NOT NULL DEFAULT '',
	energy        INTEGER NOT NULL DEFAULT 0 CHECK (energy BETWEEN 0 AND 5),
	obstacle      TEXT NOT NULL DEFAULT '',
	challenge     TEXT NOT NULL DEFAULT '' CHECK (challenge IN ('', 'easy', 'right', 'hard')),
	next          TEXT NOT NULL DEFAULT '' CHECK (next IN ('', 'keep', 'smaller', 'stretch', 'swap', 'pause')),
	private       INTEGER NOT NULL DEFAULT 0 CHECK (private IN (0, 1)),
	at            INTEGER
);
CREATE INDEX check_ins_client ON check_ins (client_id, at);
CREATE INDEX check_ins_experiment ON check_ins (experiment_id);

CREATE TABLE non_actions (
	id        INTEGER PRIMARY KEY,
	client_id TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
	kind      TEXT NOT NULL CHECK (kind IN ('rest', 'boundary', 'observe', 'integrate')),
	note      TEXT NOT NULL DEFAULT '',
	date      TEXT NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
	private   INTEGER NOT NULL DEFAULT 0 CHECK (private IN (0, 1)),
	at        INTEGER
);
CREATE INDEX non_actions_client ON non_actions (client_id, at);

CREATE TABLE assessments (
	id        INTEGER PRIMARY KEY,
	client_id TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
	skill     TEXT NOT NULL,
	stage     INTEGER NOT NULL CHECK (stage BETWEEN 1 AND 4),
	at        INTEGER
);
CREATE INDEX assessments_client ON assessments (client_id, at);

-- used_by has no foreign key: an invite is used before the client row exists.
CREATE TABLE invites (
	code       TEXT PRIMARY KEY,
	coach_id   TEXT NOT NULL REFERENCES coaches (id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	expires_at INTEGER,
	used_by    TEXT,
	used_at    INTEGER
);
CREATE INDEX invites_coach ON invites (coach_id);
CREATE INDEX invites_used_by ON invites (used_by);

CREATE TABLE suggestions (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	coach_id  TEXT NOT NULL REFERENCES coaches (id) ON DELETE CASCADE,
	client_id TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
	text      TEXT NOT NULL,
	status    TEXT NOT NULL CHECK (status IN ('open', 'accepted', 'reshaped', 'declined')),
	at        INTEGER
);
CREATE INDEX suggestions_client ON suggestions (client_id);
CREATE INDEX suggestions_coach ON suggestions (coach_id);

-- Proactive moments. The unique key makes a sweep that runs twice harmless.
CREATE TABLE due (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	recipient_id TEXT NOT NULL,
	kind         TEXT NOT NULL CHECK (kind IN ('checkin', 'nudge', 'restday', 'eve', 'assessment', 'digest', 'brief')),
	date         TEXT NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
	at           INTEGER NOT NULL,
	status       TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'answered', 'dropped')),
	sent_at      INTEGER,
	UNIQUE (recipient_id, kind, date)
);
CREATE INDEX due_status_at ON due (status, at);
CREATE INDEX due_recipient_at ON due (recipient_id, at);

-- Replies waiting for delivery, written in the same transaction as the update
-- that caused them. payload is the JSON of a bot.Reply.
CREATE TABLE outbox (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	platform   TEXT NOT NULL,
	chat_id    TEXT NOT NULL,
	payload    TEXT NOT NULL CHECK (json_valid(payload)),
	status     TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'dropped')),
	attempts   INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	sent_at    INTEGER,
	reason     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_pending ON outbox (platform, id) WHERE status = 'pending';
CREATE INDEX outbox_pending_chat ON outbox (chat_id) WHERE status = 'pending';

-- Polling positions of platform adapters (Telegram getUpdates offset).
CREATE TABLE offsets (
	name  TEXT PRIMARY KEY,
	value INTEGER NOT NULL
) WITHOUT ROWID;
