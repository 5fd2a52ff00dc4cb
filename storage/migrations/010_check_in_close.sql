-- A check-in may close its experiment ("I'm done with it"), so 'close' is
-- one of the things that can come next. SQLite cannot change a CHECK in
-- place: the table is copied into one with the new rule.
CREATE TABLE check_ins_next (
	id            INTEGER PRIMARY KEY,
	client_id     TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
	experiment_id INTEGER REFERENCES experiments (id) ON DELETE CASCADE,
	outcome       TEXT NOT NULL CHECK (outcome IN ('done', 'partly', 'adapted', 'not_yet', 'rest')),
	noticed       TEXT NOT NULL DEFAULT '',
	energy        INTEGER NOT NULL DEFAULT 0 CHECK (energy BETWEEN 0 AND 5),
	obstacle      TEXT NOT NULL DEFAULT '',
	challenge     TEXT NOT NULL DEFAULT '' CHECK (challenge IN ('', 'easy', 'right', 'hard')),
	next          TEXT NOT NULL DEFAULT '' CHECK (next IN ('', 'keep', 'smaller', 'stretch', 'swap', 'pause', 'close')),
	private       INTEGER NOT NULL DEFAULT 0 CHECK (private IN (0, 1)),
	at            INTEGER
);
INSERT INTO check_ins_next (id, client_id, experiment_id, outcome, noticed, energy, obstacle, challenge, next, private, at)
	SELECT id, client_id, experiment_id, outcome, noticed, energy, obstacle, challenge, next, private, at FROM check_ins;
DROP TABLE check_ins;
ALTER TABLE check_ins_next RENAME TO check_ins;
CREATE INDEX check_ins_client ON check_ins (client_id, at);
CREATE INDEX check_ins_experiment ON check_ins (experiment_id);
