package storage

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/coachbot/coachbot/flows"
)

// MarkSeen records an inbound update ID and reports whether it was new. An
// empty ID (a source that cannot redeliver) is always new and is not recorded.
// A zero at is stored as the DB's clock, so Prune can age the record.
func (t *tx) MarkSeen(updateID string, at time.Time) (bool, error) {
	if updateID == "" {
		return true, nil
	}
	res, err := t.exec(`INSERT INTO seen_updates (update_id, at) VALUES (?, ?)
		ON CONFLICT (update_id) DO NOTHING`, updateID, t.orNow(at).UnixMilli())
	if err != nil {
		return false, fmt.Errorf("mark seen: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("mark seen: %w", err)
	}
	return n == 1, nil
}

// Conversation returns the flow state of a chat; flows.ErrNotFound when the chat
// is in no flow.
func (t *tx) Conversation(chatID string) (flows.Conversation, error) {
	c := flows.Conversation{ChatID: chatID}
	var answers string
	var deadline, updated sql.NullInt64
	err := t.row(`SELECT user_id, flow, step, version, answers, token, deadline, updated_at
		FROM conversations WHERE chat_id = ?`, chatID).Scan(
		&c.UserID, &c.Flow, &c.Step, &c.Version, &answers, &c.Token, &deadline, &updated)
	if err != nil {
		return flows.Conversation{}, fmt.Errorf("conversation %s: %w", chatID, err)
	}
	if err := json.Unmarshal([]byte(answers), &c.Answers); err != nil {
		return flows.Conversation{}, fmt.Errorf("conversation %s: answers: %w", chatID, err)
	}
	c.Deadline = fromMillis(deadline)
	c.Updated = fromMillis(updated)
	return c, nil
}

// SaveConversation stores a chat's flow state, replacing what was there.
// Updated is set from the DB's clock.
func (t *tx) SaveConversation(c flows.Conversation) error {
	answers := []byte("{}")
	if len(c.Answers) > 0 {
		var err error
		if answers, err = json.Marshal(c.Answers); err != nil {
			return fmt.Errorf("save conversation %s: %w", c.ChatID, err)
		}
	}
	_, err := t.exec(`INSERT INTO conversations
		(chat_id, user_id, flow, step, version, answers, token, deadline, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (chat_id) DO UPDATE SET
		user_id = excluded.user_id, flow = excluded.flow, step = excluded.step,
		version = excluded.version, answers = excluded.answers, token = excluded.token,
		deadline = excluded.deadline, updated_at = excluded.updated_at`,
		c.ChatID, c.UserID, c.Flow, c.Step, c.Version, string(answers), c.Token,
		millis(c.Deadline), t.now().UnixMilli())
	if err != nil {
		return fmt.Errorf("save conversation %s: %w", c.ChatID, err)
	}
	return nil
}

// EndConversation removes a chat's flow state; ending a chat that is in no flow
// is not an error.
func (t *tx) EndConversation(chatID string) error {
	if _, err := t.exec(`DELETE FROM conversations WHERE chat_id = ?`, chatID); err != nil {
		return fmt.Errorf("end conversation %s: %w", chatID, err)
	}
	return nil
}
