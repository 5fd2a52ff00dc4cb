package storage

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/coachbot/coachbot/flows"
)

// AddDue schedules a proactive moment and returns its ID; flows.ErrDuplicate
// when the recipient already has one of that kind on that date. An empty Status
// means pending. At is required: a moment without a time could never be due.
func (t *tx) AddDue(d flows.Due) (int64, error) {
	if d.At.IsZero() {
		return 0, fmt.Errorf("add due %s %s: zero time", d.Kind, d.Date)
	}
	if d.Status == "" {
		d.Status = "pending"
	}
	var id int64
	err := t.row(`INSERT INTO due (recipient_id, kind, date, at, status, sent_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (recipient_id, kind, date) DO NOTHING RETURNING id`,
		d.RecipientID, d.Kind, d.Date, d.At.UnixMilli(), d.Status, millis(d.SentAt)).Scan(&id)
	if errors.Is(err, flows.ErrNotFound) {
		err = flows.ErrDuplicate
	}
	if err != nil {
		return 0, fmt.Errorf("add due %s %s: %w", d.Kind, d.Date, err)
	}
	return id, nil
}

// UpdateDue replaces the time, status and sent time of a moment; its key
// (recipient, kind, date) never changes.
func (t *tx) UpdateDue(d flows.Due) error {
	if d.At.IsZero() {
		return fmt.Errorf("update due %d: zero time", d.ID)
	}
	err := changed(t.exec(`UPDATE due SET at = ?, status = ?, sent_at = ? WHERE id = ?`,
		d.At.UnixMilli(), d.Status, millis(d.SentAt), d.ID))
	if err != nil {
		return fmt.Errorf("update due %d: %w", d.ID, err)
	}
	return nil
}

const dueColumns = `id, recipient_id, kind, date, at, status, sent_at`

func scanDue(scan func(dest ...any) error) (flows.Due, error) {
	var d flows.Due
	var at, sent sql.NullInt64
	err := scan(&d.ID, &d.RecipientID, &d.Kind, &d.Date, &at, &d.Status, &sent)
	d.At = fromMillis(at)
	d.SentAt = fromMillis(sent)
	return d, err
}

// DueBefore lists up to limit pending moments due at or before t, oldest first
// (limit <= 0 means all).
func (t *tx) DueBefore(at time.Time, limit int) ([]flows.Due, error) {
	if limit <= 0 {
		limit = -1
	}
	ds, err := list(t, scanDue, `SELECT `+dueColumns+` FROM due
		WHERE status = 'pending' AND at <= ? ORDER BY at, id LIMIT ?`, at.UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("due before: %w", err)
	}
	return ds, nil
}

// LatestDue returns the newest moment of a kind for a recipient, by date and
// then time; flows.ErrNotFound when there is none.
func (t *tx) LatestDue(recipientID, kind string) (flows.Due, error) {
	d, err := scanDue(t.row(`SELECT `+dueColumns+` FROM due WHERE recipient_id = ? AND kind = ?
		ORDER BY date DESC, at DESC, id DESC LIMIT 1`, recipientID, kind).Scan)
	if err != nil {
		return flows.Due{}, fmt.Errorf("latest due %s of %s: %w", kind, recipientID, err)
	}
	return d, nil
}

// DueSince lists a recipient's moments of any status and kind at or after t,
// oldest first.
func (t *tx) DueSince(recipientID string, at time.Time) ([]flows.Due, error) {
	ds, err := list(t, scanDue, `SELECT `+dueColumns+` FROM due
		WHERE recipient_id = ? AND at >= ? ORDER BY at, id`, recipientID, at.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("due since of %s: %w", recipientID, err)
	}
	return ds, nil
}

// PendingSince lists a recipient's pending moments at or after t, oldest
// first: what planning may replace, without the history beside it.
func (t *tx) PendingSince(recipientID string, at time.Time) ([]flows.Due, error) {
	ds, err := list(t, scanDue, `SELECT `+dueColumns+` FROM due
		WHERE recipient_id = ? AND at >= ? AND status = 'pending' ORDER BY at, id`, recipientID, at.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("pending since of %s: %w", recipientID, err)
	}
	return ds, nil
}
