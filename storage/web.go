package storage

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/coachbot/coachbot/flows"
)

const webTokenColumns = `hash, coach_id, kind, created_at, expires_at, used_at`

func scanWebToken(scan func(dest ...any) error) (flows.WebToken, error) {
	var w flows.WebToken
	var created, expires, used sql.NullInt64
	err := scan(&w.Hash, &w.CoachID, &w.Kind, &created, &expires, &used)
	w.CreatedAt, w.ExpiresAt, w.UsedAt = fromMillis(created), fromMillis(expires), fromMillis(used)
	return w, err
}

// AddWebToken stores a link or session token by its hash, after deleting
// every token expired by w.CreatedAt (the table stays as small as the tokens
// that work); flows.ErrDuplicate when the hash exists.
func (t *tx) AddWebToken(w flows.WebToken) error {
	created := t.orNow(w.CreatedAt).UnixMilli()
	if _, err := t.exec(`DELETE FROM web_tokens WHERE expires_at <= ?`, created); err != nil {
		return fmt.Errorf("add web token: %w", err)
	}
	err := changed(t.exec(`INSERT INTO web_tokens (`+webTokenColumns+`) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (hash) DO NOTHING`,
		w.Hash, w.CoachID, w.Kind, created, w.ExpiresAt.UnixMilli(), millis(w.UsedAt)))
	if errors.Is(err, flows.ErrNotFound) {
		err = flows.ErrDuplicate
	}
	if err != nil {
		return fmt.Errorf("add web token: %w", err)
	}
	return nil
}

// WebToken returns a token by its hash, used or expired ones too;
// flows.ErrNotFound when there is none.
func (t *tx) WebToken(hash string) (flows.WebToken, error) {
	w, err := scanWebToken(t.row(`SELECT `+webTokenColumns+` FROM web_tokens WHERE hash = ?`, hash).Scan)
	if err != nil {
		return flows.WebToken{}, fmt.Errorf("web token: %w", err)
	}
	return w, nil
}

// UseWebToken marks a one-time link used at now and returns it;
// flows.ErrNotFound when it is unknown, not a link, used or expired.
func (t *tx) UseWebToken(hash string, now time.Time) (flows.WebToken, error) {
	err := changed(t.exec(`UPDATE web_tokens SET used_at = ? WHERE hash = ? AND kind = ? AND used_at IS NULL AND expires_at > ?`,
		now.UnixMilli(), hash, flows.WebLink, now.UnixMilli()))
	if err != nil {
		return flows.WebToken{}, fmt.Errorf("use web link: %w", err)
	}
	return t.WebToken(hash)
}

// EndWebTokens deletes a coach's sessions and links and reports how many
// sessions that still worked ended.
func (t *tx) EndWebTokens(coachID string, now time.Time) (int, error) {
	var n int
	err := t.row(`SELECT count(*) FROM web_tokens WHERE coach_id = ? AND kind = ? AND expires_at > ?`,
		coachID, flows.WebSession, now.UnixMilli()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("end web sessions: %w", err)
	}
	if _, err := t.exec(`DELETE FROM web_tokens WHERE coach_id = ?`, coachID); err != nil {
		return 0, fmt.Errorf("end web sessions: %w", err)
	}
	return n, nil
}
