package storage

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/coachbot/coachbot/flows"
)

const coachColumns = `id, chat_id, name, zone, digest_at, digest_weekly, digest_weekday, created_at, private_only, language`

func scanCoach(scan func(dest ...any) error) (flows.Coach, error) {
	var c flows.Coach
	var created sql.NullInt64
	err := scan(&c.ID, &c.ChatID, &c.Name, textColumn{&c.Zone, "zone"}, textColumn{&c.DigestAt, "digest time"},
		&c.DigestWeekly, &c.DigestWeekday, &created,
		&c.PrivateOnly, &c.Language)
	if c.PrivateOnly == flows.PrivateOnlyLine {
		c.PrivateOnly = "" // the default
	}
	c.CreatedAt = fromMillis(created)
	return c, err
}

// Coach returns a coach by ID; flows.ErrNotFound when there is none.
func (t *tx) Coach(id string) (flows.Coach, error) {
	c, err := scanCoach(t.row(`SELECT `+coachColumns+` FROM coaches WHERE id = ?`, id).Scan)
	if err != nil {
		return flows.Coach{}, fmt.Errorf("coach %s: %w", id, err)
	}
	return c, nil
}

// SaveCoach inserts or replaces a coach. CreatedAt is kept from the first save
// (the DB's clock when it was zero). The unreachable flag MarkUnreachable sets
// is left as it is. An empty PrivateOnly means flows.PrivateOnlyLine.
func (t *tx) SaveCoach(c flows.Coach) error {
	if c.PrivateOnly == "" {
		c.PrivateOnly = flows.PrivateOnlyLine
	}
	_, err := t.exec(`INSERT INTO coaches (`+coachColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET chat_id = excluded.chat_id, name = excluded.name,
		zone = excluded.zone, digest_at = excluded.digest_at, digest_weekly = excluded.digest_weekly,
		digest_weekday = excluded.digest_weekday, private_only = excluded.private_only,
		language = excluded.language`,
		c.ID, c.ChatID, c.Name, c.Zone.String(), c.DigestAt.String(), boolInt(c.DigestWeekly), int(c.DigestWeekday),
		t.orNow(c.CreatedAt).UnixMilli(), c.PrivateOnly, c.Language)
	if err != nil {
		return fmt.Errorf("save coach %s: %w", c.ID, err)
	}
	return nil
}

// Coaches lists every coach by ID.
func (t *tx) Coaches() ([]flows.Coach, error) {
	cs, err := list(t, scanCoach, `SELECT `+coachColumns+` FROM coaches ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("coaches: %w", err)
	}
	return cs, nil
}

// AddInvite stores a new invite; flows.ErrDuplicate when the code exists.
// CreatedAt defaults to the DB's clock.
func (t *tx) AddInvite(i flows.Invite) error {
	err := changed(t.exec(`INSERT INTO invites (code, coach_id, created_at, expires_at, used_by, used_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO NOTHING`,
		i.Code, i.CoachID, t.orNow(i.CreatedAt).UnixMilli(), millis(i.ExpiresAt),
		nullString(i.UsedBy), millis(i.UsedAt)))
	if errors.Is(err, flows.ErrNotFound) {
		err = flows.ErrDuplicate
	}
	if err != nil {
		return fmt.Errorf("add invite: %w", err)
	}
	return nil
}

// Invite returns an invite by code; flows.ErrNotFound when there is none.
func (t *tx) Invite(code string) (flows.Invite, error) {
	i := flows.Invite{Code: code}
	var usedBy sql.NullString
	var created, expires, usedAt sql.NullInt64
	err := t.row(`SELECT coach_id, created_at, expires_at, used_by, used_at FROM invites WHERE code = ?`, code).
		Scan(&i.CoachID, &created, &expires, &usedBy, &usedAt)
	if err != nil {
		return flows.Invite{}, fmt.Errorf("invite: %w", err)
	}
	i.CreatedAt = fromMillis(created)
	i.ExpiresAt = fromMillis(expires)
	i.UsedBy = usedBy.String
	i.UsedAt = fromMillis(usedAt)
	return i, nil
}

// UseInvite spends a single-use invite: flows.ErrNotFound when the code does not
// exist, flows.ErrDuplicate when it was already used (also by a client since
// forgotten). Expiry is the engine's rule and is not checked here. A zero at is
// stored as the DB's clock.
func (t *tx) UseInvite(code, clientID string, at time.Time) error {
	err := changed(t.exec(`UPDATE invites SET used_by = ?, used_at = ? WHERE code = ? AND used_at IS NULL`,
		nullString(clientID), t.orNow(at).UnixMilli(), code))
	if errors.Is(err, flows.ErrNotFound) {
		var n int
		if err := t.row(`SELECT count(*) FROM invites WHERE code = ?`, code).Scan(&n); err != nil {
			return fmt.Errorf("use invite: %w", err)
		}
		if n > 0 {
			err = flows.ErrDuplicate
		}
	}
	if err != nil {
		return fmt.Errorf("use invite: %w", err)
	}
	return nil
}

// AddSuggestion stores a coach's proposal and returns its ID. An empty Status
// means open.
func (t *tx) AddSuggestion(s flows.Suggestion) (int64, error) {
	if s.Status == "" {
		s.Status = "open"
	}
	var id int64
	err := t.row(`INSERT INTO suggestions (coach_id, client_id, text, status, at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`,
		s.CoachID, s.ClientID, s.Text, s.Status, millis(s.At)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("add suggestion for %s: %w", s.ClientID, err)
	}
	return id, nil
}

const suggestionColumns = `id, coach_id, client_id, text, status, at, answered_at`

func scanSuggestion(scan func(dest ...any) error) (flows.Suggestion, error) {
	var s flows.Suggestion
	var at, answered sql.NullInt64
	err := scan(&s.ID, &s.CoachID, &s.ClientID, &s.Text, &s.Status, &at, &answered)
	s.At = fromMillis(at)
	s.AnsweredAt = fromMillis(answered)
	return s, err
}

// Suggestion returns a suggestion by ID; flows.ErrNotFound when there is none.
func (t *tx) Suggestion(id int64) (flows.Suggestion, error) {
	s, err := scanSuggestion(t.row(`SELECT `+suggestionColumns+` FROM suggestions WHERE id = ?`, id).Scan)
	if err != nil {
		return flows.Suggestion{}, fmt.Errorf("suggestion %d: %w", id, err)
	}
	return s, nil
}

// Suggestions lists the suggestions made to a client, oldest first.
func (t *tx) Suggestions(clientID string) ([]flows.Suggestion, error) {
	ss, err := list(t, scanSuggestion, `SELECT `+suggestionColumns+` FROM suggestions
		WHERE client_id = ? ORDER BY id`, clientID)
	if err != nil {
		return nil, fmt.Errorf("suggestions of %s: %w", clientID, err)
	}
	return ss, nil
}

// UpdateSuggestion replaces the text, status and times of a suggestion; its
// coach and client never change.
func (t *tx) UpdateSuggestion(s flows.Suggestion) error {
	err := changed(t.exec(`UPDATE suggestions SET text = ?, status = ?, at = ?, answered_at = ? WHERE id = ?`,
		s.Text, s.Status, millis(s.At), millis(s.AnsweredAt), s.ID))
	if err != nil {
		return fmt.Errorf("update suggestion %d: %w", s.ID, err)
	}
	return nil
}
