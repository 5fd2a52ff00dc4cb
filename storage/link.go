package storage

import (
	"errors"
	"fmt"
	"time"

	"github.com/coachbot/coachbot/flows"
)

// AddLinkCode stores a code that lets another account join the client;
// flows.ErrDuplicate when the code exists.
func (t *tx) AddLinkCode(code, clientID string, expires time.Time) error {
	err := changed(t.exec(`INSERT INTO link_codes (code, client_id, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (code) DO NOTHING`, code, clientID, expires.UnixMilli()))
	if errors.Is(err, flows.ErrNotFound) {
		err = flows.ErrDuplicate
	}
	if err != nil {
		return fmt.Errorf("add link code: %w", err)
	}
	return nil
}

// LinkCode returns the client behind a code that has not expired at now,
// leaving the code in place; flows.ErrNotFound otherwise.
func (t *tx) LinkCode(code string, now time.Time) (string, error) {
	var clientID string
	err := t.row(`SELECT client_id FROM link_codes WHERE code = ? AND expires_at > ?`, code, now.UnixMilli()).Scan(&clientID)
	if err != nil {
		return "", fmt.Errorf("link code: %w", err)
	}
	return clientID, nil
}

// UseLinkCode returns the client behind a code that has not expired at now and
// deletes the code, so it works once. An unknown or expired code is
// flows.ErrNotFound.
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

// AddAlias lets userID speak for clientID; flows.ErrDuplicate when userID
// already speaks for a client.
func (t *tx) AddAlias(userID, clientID, chatID string) error {
	err := changed(t.exec(`INSERT INTO aliases (user_id, client_id, chat_id) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO NOTHING`, userID, clientID, chatID))
	if errors.Is(err, flows.ErrNotFound) {
		err = flows.ErrDuplicate
	}
	if err != nil {
		return fmt.Errorf("add alias: %w", err)
	}
	return nil
}
