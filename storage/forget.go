package storage

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/flows"
)

// Forget deletes everything stored about a client: the client row with their
// experiments, check-ins, non-actions, session notes, assessments and
// suggestions (by cascade), linked accounts, their due moments, their
// conversations, every reply to their chats and those of their linked
// accounts, sent or not, and every reply to a coach of theirs that quotes
// them: their name or anything they wrote. Invites they used stay used but no
// longer name them. Replies queued after Forget in the same transaction (a
// goodbye) survive. Forgetting a client who is not stored is not an error:
// whatever else is keyed by the ID still goes.
//
// What is deleted is overwritten in the file (secure_delete), and once the
// commit is durable the write-ahead log is emptied into the file, so the
// words leave the disk, not just the tables.
func (t *tx) Forget(clientID string) error {
	t.forgetClient(clientID)
	fail := func(err error) error { return fmt.Errorf("forget %s: %w", clientID, err) }
	var chatID, name string
	err := t.row(`SELECT chat_id, name FROM clients WHERE id = ?`, clientID).Scan(&chatID, &name)
	if err != nil && !errors.Is(err, flows.ErrNotFound) {
		return fail(err)
	}
	users, err := t.strings(`SELECT user_id FROM aliases WHERE client_id = ?`, clientID)
	if err != nil {
		return fail(err)
	}
	users = append(users, clientID)
	userList := jsonList(users)

	// Their chats: the client's, and every chat they or a linked account
	// were last seen in (a private chat's ID is its user's on most platforms).
	chats, err := t.strings(`SELECT chat_id FROM conversations WHERE user_id IN (SELECT value FROM json_each(?1))
		UNION SELECT chat_id FROM clients WHERE id IN (SELECT value FROM json_each(?1))
		UNION SELECT chat_id FROM aliases WHERE client_id = ?2`, userList, clientID)
	if err != nil {
		return fail(err)
	}
	chats = append(chats, users...)
	chats = append(chats, chatID)
	chats = slices.DeleteFunc(chats, func(c string) bool { return c == "" })
	slices.Sort(chats)
	chats = slices.Compact(chats)

	// What would show they were there: their name and everything they wrote,
	// gathered before their rows go.
	quotes, err := t.quotes(clientID, name, userList, jsonList(chats))
	if err != nil {
		return fail(err)
	}
	deleted, err := t.deleteQuotes(clientID, quotes)
	if err != nil {
		return fail(err)
	}

	steps := []struct {
		query string
		arg   string
	}{
		{`DELETE FROM outbox WHERE chat_id IN (SELECT value FROM json_each(?))`, jsonList(chats)},
		{`DELETE FROM conversations WHERE user_id IN (SELECT value FROM json_each(?))`, userList},
		{`DELETE FROM conversations WHERE chat_id IN (SELECT value FROM json_each(?))`, jsonList(chats)},
		{`DELETE FROM due WHERE recipient_id = ?`, clientID},
		{`UPDATE invites SET used_by = NULL WHERE used_by = ?`, clientID},
		{`DELETE FROM clients WHERE id = ?`, clientID},
	}
	for _, s := range steps {
		if _, err := t.exec(s.query, s.arg); err != nil {
			return fail(err)
		}
	}

	gone := func(o bot.Outgoing) bool {
		_, found := slices.BinarySearch(chats, o.Reply.ChatID)
		return found || deleted[o.ID]
	}
	// Replies this transaction queued before Forget are gone as well.
	t.queued = slices.DeleteFunc(t.queued, gone)
	t.forgotten = gone
	return nil
}

// Texts shorter than minQuote runes are too common to say a message quotes
// the client ("yes", a number from a scale); names count from minName.
const (
	minQuote = 4
	minName  = 2
)

// quotes returns the texts that identify a client in a coach's messages:
// their name and every answer they stored.
func (t *tx) quotes(clientID, name, users, chats string) ([]string, error) {
	texts, err := t.strings(`
		SELECT action FROM experiments WHERE client_id = ?1
		UNION SELECT why FROM experiments WHERE client_id = ?1
		UNION SELECT when_text FROM experiments WHERE client_id = ?1
		UNION SELECT people FROM experiments WHERE client_id = ?1
		UNION SELECT recovery FROM experiments WHERE client_id = ?1
		UNION SELECT noticed FROM check_ins WHERE client_id = ?1
		UNION SELECT obstacle FROM check_ins WHERE client_id = ?1
		UNION SELECT note FROM non_actions WHERE client_id = ?1
		UNION SELECT text FROM session_notes WHERE client_id = ?1
		UNION SELECT text FROM suggestions WHERE client_id = ?1
		UNION SELECT j.value FROM conversations c, json_each(c.answers) j
			WHERE (c.user_id IN (SELECT value FROM json_each(?2)) OR c.chat_id IN (SELECT value FROM json_each(?3)))
			AND j.type = 'text'`, clientID, users, chats)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range texts {
		if s = strings.TrimSpace(s); utf8.RuneCountInString(s) >= minQuote {
			out = append(out, s)
		}
	}
	if name = strings.TrimSpace(name); utf8.RuneCountInString(name) >= minName {
		out = append(out, name)
	}
	return out, nil
}

// deleteQuotes deletes the replies to the client's coaches, present and past,
// that contain any of quotes, and returns their IDs. The coaches are the one
// they have, those whose invite they used and those who suggested them
// something.
func (t *tx) deleteQuotes(clientID string, quotes []string) (map[int64]bool, error) {
	deleted := make(map[int64]bool)
	if len(quotes) == 0 {
		return deleted, nil
	}
	rows, err := t.query(`SELECT id, payload FROM outbox WHERE chat_id IN (
		SELECT chat_id FROM coaches WHERE id IN (
			SELECT coach_id FROM clients WHERE id = ?1
			UNION SELECT coach_id FROM invites WHERE used_by = ?1
			UNION SELECT coach_id FROM suggestions WHERE client_id = ?1))`, clientID)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		var payload string
		if err := rows.Scan(&id, &payload); err != nil {
			rows.Close()
			return nil, err
		}
		var r bot.Reply
		if err := json.Unmarshal([]byte(payload), &r); err != nil {
			ids = append(ids, id) // unreadable: it may quote them
			continue
		}
		shown := []string{r.Text}
		for _, b := range r.Buttons {
			shown = append(shown, b.Label)
		}
		if slices.ContainsFunc(quotes, func(q string) bool {
			return slices.ContainsFunc(shown, func(s string) bool { return strings.Contains(s, q) })
		}) {
			ids = append(ids, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return deleted, nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	if _, err := t.exec(`DELETE FROM outbox WHERE id IN (SELECT value FROM json_each(?))`, string(list)); err != nil {
		return nil, err
	}
	for _, id := range ids {
		deleted[id] = true
	}
	return deleted, nil
}

// strings runs a query of one text column and returns its values.
func (t *tx) strings(query string, args ...any) ([]string, error) {
	return list(t, func(scan func(...any) error) (string, error) {
		var s string
		err := scan(&s)
		return s, err
	}, query, args...)
}

// jsonList encodes IDs as a JSON array, for json_each.
func jsonList(ids []string) string {
	b, _ := json.Marshal(ids) // strings always encode
	return string(b)
}
