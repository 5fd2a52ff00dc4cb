-- The client's day follows their plan, experiments keep their history, and a
-- message that suggests danger leaves a trace without its words.

-- closed_on: the client's local date that is closed (checked in, rested or
-- answered the rest-day question): nothing more about experiments that day.
-- assess_at: when the next self-assessment may be offered; assess_postponed is
-- 1 once "Not now" has moved it by a few days (it moves only once).
ALTER TABLE clients ADD COLUMN closed_on TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN assess_at INTEGER;
ALTER TABLE clients ADD COLUMN assess_postponed INTEGER NOT NULL DEFAULT 0 CHECK (assess_postponed IN (0, 1));

-- plan_from / plan_by: the local dates the client means to try it (equal for
-- one day); plan_clock: a time of day they named, '' when none. check_from is
-- the first moment to invite a reflection on it. previous_id links a version
-- (smaller, stretched, swapped) to the one it came from.
ALTER TABLE experiments ADD COLUMN plan_from TEXT NOT NULL DEFAULT '';
ALTER TABLE experiments ADD COLUMN plan_by TEXT NOT NULL DEFAULT '';
ALTER TABLE experiments ADD COLUMN plan_clock TEXT NOT NULL DEFAULT '';
ALTER TABLE experiments ADD COLUMN check_from INTEGER;
ALTER TABLE experiments ADD COLUMN previous_id INTEGER REFERENCES experiments (id) ON DELETE SET NULL;
CREATE INDEX experiments_previous ON experiments (previous_id);

-- That a message suggested danger, and when: never what it said.
CREATE TABLE safety_events (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	client_id     TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
	level         TEXT NOT NULL CHECK (level IN ('danger', 'unsafe_answer')),
	coach_alerted INTEGER NOT NULL DEFAULT 0 CHECK (coach_alerted IN (0, 1)),
	at            INTEGER NOT NULL
);
CREATE INDEX safety_events_client ON safety_events (client_id, at);

-- planned: an answer to the rest-day question on a planned rest day, which is
-- recovery as planned, not a choice of rest in place of an experiment.
ALTER TABLE non_actions ADD COLUMN planned INTEGER NOT NULL DEFAULT 0 CHECK (planned IN (0, 1));
