package storage

import (
	"fmt"
	"time"

	"github.com/coachbot/coachbot/flows"
)

// AddLinkCode stores a code that lets another account join the client.
func (t *tx) AddLinkCode(code, clientID string, expires time.Time) error {
	if _, err := t.exec(`INSERT INTO link_codes (code, client_id, expires_at) VALUES (?, ?, ?)`,
		code, clientID, toMillis(expires)); err != nil {
		return fmt.Errorf("add link code: %w", mapConstraint(err))
	}
	return nil
}

// UseLinkCode returns the client behind a code that has not expired at now, and
// deletes the code so it works once.
func (t *tx) UseLinkCode(code string, now time.Time) (string, error) {
	var clientID string
	var expires int64
	if err := t.row(`SELECT client_id, expires_at FROM link_codes WHERE code = ?`, code).Scan(&clientID, &expires); err != nil {
		return "", fmt.Errorf("link code: %w", err)
	}
	if _, err := t.exec(`DELETE FROM link_codes WHERE code = ?`, code); err != nil {
		return "", fmt.Errorf("use link code: %w", err)
	}
	if expires <= now.UnixMilli() {
		return "", fmt.Errorf("link code expired: %w", flows.ErrNotFound)
	}
	return clientID, nil
}

// Alias returns the client another platform's user speaks for.
func (t *tx) Alias(userID string) (string, error) {
	var clientID string
	if err := t.row(`SELECT client_id FROM aliases WHERE user_id = ?`, userID).Scan(&clientID); err != nil {
		return "", fmt.Errorf("alias %s: %w", userID, err)
	}
	return clientID, nil
}

// AddAlias lets userID speak for clientID; ErrDuplicate when userID already
// speaks for someone.
func (t *tx) AddAlias(userID, clientID string) error {
	if _, err := t.exec(`INSERT INTO aliases (user_id, client_id) VALUES (?, ?)`, userID, clientID); err != nil {
		return fmt.Errorf("add alias: %w", mapConstraint(err))
	}
	return nil
}
