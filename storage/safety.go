package storage

import (
	"fmt"
	"time"

	"github.com/coachbot/coachbot/flows"
)

// AddSafetyEvent records that a client's message suggested danger, and when;
// never what it said.
func (t *tx) AddSafetyEvent(e flows.SafetyEvent) (int64, error) {
	var id int64
	err := t.row(`INSERT INTO safety_events (client_id, level, coach_alerted, at) VALUES (?, ?, ?, ?) RETURNING id`,
		e.ClientID, e.Level, boolInt(e.CoachAlerted), t.orNow(e.At).UnixMilli()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("add safety event for %s: %w", e.ClientID, err)
	}
	return id, nil
}

// SafetyEvents lists a client's safety events at or after since, oldest first.
func (t *tx) SafetyEvents(clientID string, since time.Time) ([]flows.SafetyEvent, error) {
	es, err := list(t, func(scan func(...any) error) (flows.SafetyEvent, error) {
		var e flows.SafetyEvent
		var at int64
		err := scan(&e.ID, &e.ClientID, &e.Level, &e.CoachAlerted, &at)
		e.At = time.UnixMilli(at).UTC()
		return e, err
	}, `SELECT id, client_id, level, coach_alerted, at FROM safety_events
		WHERE client_id = ? AND at >= ? ORDER BY at, id`, clientID, since.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("safety events of %s: %w", clientID, err)
	}
	return es, nil
}
