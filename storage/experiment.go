package storage

import (
	"database/sql"
	"fmt"
	"time"

	"github.com/coachbot/coachbot/flows"
)

// AddExperiment stores a new experiment and returns its ID. An empty Status
// means running; CreatedAt defaults to the DB's clock, UpdatedAt is the clock.
func (t *tx) AddExperiment(e flows.Experiment) (int64, error) {
	if e.Status == "" {
		e.Status = flows.StatusRunning
	}
	var id int64
	err := t.row(`INSERT INTO experiments (client_id, kind, action, why, when_text, energy, load,
		people, recovery, carry, status, suggested_by, created_at, updated_at,
		plan_from, plan_by, plan_clock, check_from, previous_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		e.ClientID, e.Kind, e.Action, e.Why, e.When, e.Energy, e.Load, e.People, e.Recovery, e.Carry,
		e.Status, nullString(e.SuggestedBy), t.orNow(e.CreatedAt).UnixMilli(), t.now().UnixMilli(),
		e.PlanFrom, e.PlanBy, e.PlanClock, millis(e.CheckFrom), nullID(e.PreviousID),
	).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("add experiment for %s: %w", e.ClientID, err)
	}
	return id, nil
}

// UpdateExperiment replaces the design and status of an experiment; its client
// and CreatedAt never change. UpdatedAt is set from the DB's clock.
func (t *tx) UpdateExperiment(e flows.Experiment) error {
	err := changed(t.exec(`UPDATE experiments SET kind = ?, action = ?, why = ?, when_text = ?,
		energy = ?, load = ?, people = ?, recovery = ?, carry = ?, status = ?, suggested_by = ?,
		updated_at = ?, plan_from = ?, plan_by = ?, plan_clock = ?, check_from = ?, previous_id = ?
		WHERE id = ?`,
		e.Kind, e.Action, e.Why, e.When, e.Energy, e.Load, e.People, e.Recovery, e.Carry, e.Status,
		nullString(e.SuggestedBy), t.now().UnixMilli(), e.PlanFrom, e.PlanBy, e.PlanClock,
		millis(e.CheckFrom), nullID(e.PreviousID), e.ID))
	if err != nil {
		return fmt.Errorf("update experiment %d: %w", e.ID, err)
	}
	return nil
}

const experimentColumns = `id, client_id, kind, action, why, when_text, energy, load, people,
	recovery, carry, status, suggested_by, created_at, updated_at, plan_from, plan_by, plan_clock,
	check_from, previous_id`

func scanExperiment(scan func(dest ...any) error) (flows.Experiment, error) {
	var e flows.Experiment
	var by sql.NullString
	var created, updated, check, previous sql.NullInt64
	err := scan(&e.ID, &e.ClientID, &e.Kind, &e.Action, &e.Why, &e.When, &e.Energy, &e.Load,
		&e.People, &e.Recovery, &e.Carry, &e.Status, &by, &created, &updated,
		&e.PlanFrom, &e.PlanBy, &e.PlanClock, &check, &previous)
	e.CheckFrom = fromMillis(check)
	e.PreviousID = previous.Int64
	e.SuggestedBy = by.String
	e.CreatedAt = fromMillis(created)
	e.UpdatedAt = fromMillis(updated)
	return e, err
}

// Experiment returns an experiment by ID; flows.ErrNotFound when there is none.
func (t *tx) Experiment(id int64) (flows.Experiment, error) {
	e, err := scanExperiment(t.row(`SELECT `+experimentColumns+` FROM experiments WHERE id = ?`, id).Scan)
	if err != nil {
		return flows.Experiment{}, fmt.Errorf("experiment %d: %w", id, err)
	}
	return e, nil
}

// Experiments lists a client's experiments, oldest first; status "" means all.
func (t *tx) Experiments(clientID, status string) ([]flows.Experiment, error) {
	es, err := list(t, scanExperiment, `SELECT `+experimentColumns+` FROM experiments
		WHERE client_id = ?1 AND (?2 = '' OR status = ?2) ORDER BY id`, clientID, status)
	if err != nil {
		return nil, fmt.Errorf("experiments of %s: %w", clientID, err)
	}
	return es, nil
}

// AddCheckIn stores a reflection and returns its ID. ExperimentID 0 means the
// check-in belongs to no experiment.
func (t *tx) AddCheckIn(c flows.CheckIn) (int64, error) {
	var id int64
	err := t.row(`INSERT INTO check_ins (client_id, experiment_id, outcome, noticed, energy,
		obstacle, challenge, next, private, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.ClientID, nullID(c.ExperimentID), c.Outcome, c.Noticed, c.Energy, c.Obstacle, c.Challenge,
		c.Next, boolInt(c.Private), millis(c.At)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("add check-in for %s: %w", c.ClientID, err)
	}
	return id, nil
}

func scanCheckIn(scan func(dest ...any) error) (flows.CheckIn, error) {
	var c flows.CheckIn
	var exp, at sql.NullInt64
	err := scan(&c.ID, &c.ClientID, &exp, &c.Outcome, &c.Noticed, &c.Energy, &c.Obstacle,
		&c.Challenge, &c.Next, &c.Private, &at)
	c.ExperimentID = exp.Int64
	c.At = fromMillis(at)
	return c, err
}

// CheckIns lists a client's check-ins at or after since, oldest first; a zero
// since means all of them.
func (t *tx) CheckIns(clientID string, since time.Time) ([]flows.CheckIn, error) {
	cs, err := list(t, scanCheckIn, `SELECT id, client_id, experiment_id, outcome, noticed, energy,
		obstacle, challenge, next, private, at FROM check_ins
		WHERE client_id = ?1 AND (?2 IS NULL OR at >= ?2) ORDER BY at, id`, clientID, millis(since))
	if err != nil {
		return nil, fmt.Errorf("check-ins of %s: %w", clientID, err)
	}
	return cs, nil
}

// SetCheckInPrivate shares or un-shares one of a client's check-ins; a rest
// the check-in recorded ("I chose rest", at the same moment) follows it.
// flows.ErrNotFound when the check-in is not the client's.
func (t *tx) SetCheckInPrivate(clientID string, id int64, private bool) error {
	var at sql.NullInt64
	var outcome string
	err := t.row(`UPDATE check_ins SET private = ? WHERE id = ? AND client_id = ? RETURNING at, outcome`,
		boolInt(private), id, clientID).Scan(&at, &outcome)
	if err == nil && outcome == "rest" && at.Valid {
		_, err = t.exec(`UPDATE non_actions SET private = ? WHERE client_id = ? AND at = ? AND kind = 'rest' AND planned = 0`,
			boolInt(private), clientID, at.Int64)
	}
	if err != nil {
		return fmt.Errorf("set check-in %d private: %w", id, err)
	}
	return nil
}

// AddNonAction stores a consciously chosen day of rest or repair.
func (t *tx) AddNonAction(n flows.NonAction) (int64, error) {
	var id int64
	err := t.row(`INSERT INTO non_actions (client_id, kind, note, date, private, at, planned)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		n.ClientID, n.Kind, n.Note, n.Date, boolInt(n.Private), millis(n.At), boolInt(n.Planned)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("add non-action for %s: %w", n.ClientID, err)
	}
	return id, nil
}

func scanNonAction(scan func(dest ...any) error) (flows.NonAction, error) {
	var n flows.NonAction
	var at sql.NullInt64
	err := scan(&n.ID, &n.ClientID, &n.Kind, &n.Note, &n.Date, &n.Private, &at, &n.Planned)
	n.At = fromMillis(at)
	return n, err
}

// NonActions lists a client's non-actions at or after since, oldest first; a
// zero since means all of them.
func (t *tx) NonActions(clientID string, since time.Time) ([]flows.NonAction, error) {
	ns, err := list(t, scanNonAction, `SELECT id, client_id, kind, note, date, private, at, planned
		FROM non_actions WHERE client_id = ?1 AND (?2 IS NULL OR at >= ?2) ORDER BY at, id`,
		clientID, millis(since))
	if err != nil {
		return nil, fmt.Errorf("non-actions of %s: %w", clientID, err)
	}
	return ns, nil
}

// AddSessionNote stores what a client wants to bring to their next session.
func (t *tx) AddSessionNote(n flows.SessionNote) (int64, error) {
	var id int64
	err := t.row(`INSERT INTO session_notes (client_id, text, private, at) VALUES (?, ?, ?, ?) RETURNING id`,
		n.ClientID, n.Text, boolInt(n.Private), millis(n.At)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("add session note for %s: %w", n.ClientID, err)
	}
	return id, nil
}

func scanSessionNote(scan func(dest ...any) error) (flows.SessionNote, error) {
	var n flows.SessionNote
	var at sql.NullInt64
	err := scan(&n.ID, &n.ClientID, &n.Text, &n.Private, &at)
	n.At = fromMillis(at)
	return n, err
}

// SessionNotes lists a client's session notes at or after since, oldest first;
// a zero since means all of them.
func (t *tx) SessionNotes(clientID string, since time.Time) ([]flows.SessionNote, error) {
	ns, err := list(t, scanSessionNote, `SELECT id, client_id, text, private, at FROM session_notes
		WHERE client_id = ?1 AND (?2 IS NULL OR at >= ?2) ORDER BY at, id`, clientID, millis(since))
	if err != nil {
		return nil, fmt.Errorf("session notes of %s: %w", clientID, err)
	}
	return ns, nil
}

// AddAssessment stores one self-rating.
func (t *tx) AddAssessment(a flows.Assessment) (int64, error) {
	var id int64
	err := t.row(`INSERT INTO assessments (client_id, skill, stage, at) VALUES (?, ?, ?, ?) RETURNING id`,
		a.ClientID, a.Skill, a.Stage, millis(a.At)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("add assessment for %s: %w", a.ClientID, err)
	}
	return id, nil
}

func scanAssessment(scan func(dest ...any) error) (flows.Assessment, error) {
	var a flows.Assessment
	var at sql.NullInt64
	err := scan(&a.ID, &a.ClientID, &a.Skill, &a.Stage, &at)
	a.At = fromMillis(at)
	return a, err
}

// Assessments lists a client's self-ratings, oldest first.
func (t *tx) Assessments(clientID string) ([]flows.Assessment, error) {
	as, err := list(t, scanAssessment, `SELECT id, client_id, skill, stage, at FROM assessments
		WHERE client_id = ? ORDER BY at, id`, clientID)
	if err != nil {
		return nil, fmt.Errorf("assessments of %s: %w", clientID, err)
	}
	return as, nil
}

// list runs a query and scans every row with scan.
func list[T any](t *tx, scan func(func(...any) error) (T, error), query string, args ...any) ([]T, error) {
	rows, err := t.query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
