package storage

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/coachbot/coachbot/bot"
)

// ChatOutbox is the outbox of one chat: a dispatcher given it sees, sends and
// marks only that chat's rows. A console chatting as one person delivers
// through it, so replies queued for other console chats (invitations the
// sweep queued for them) wait for their own console instead of showing up,
// and being marked sent, in this one.
//
// Only reading is narrowed: the rest of the outbox (marking rows sent, failed
// or unreachable) works by row ID, and a dispatcher marks only rows it read.
type ChatOutbox struct {
	*DB
	chat string
}

var _ bot.Outbox = (*ChatOutbox)(nil)

// ChatOutbox returns the outbox of the chat with this qualified ID.
func (db *DB) ChatOutbox(chatID string) *ChatOutbox {
	return &ChatOutbox{DB: db, chat: chatID}
}

const chatPendingSQL = `SELECT id, payload, attempts FROM outbox
	WHERE platform = ? AND chat_id = ? AND status = 'pending' AND id > ? ORDER BY id LIMIT ?`

// PendingAfter is DB.PendingAfter for the chat's rows only.
func (o *ChatOutbox) PendingAfter(ctx context.Context, platform string, after int64, limit int, skip func(id int64) bool) ([]bot.Outgoing, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := o.readerDB.QueryContext(ctx, chatPendingSQL, platform, o.chat, after, limit)
	if err != nil {
		return nil, fmt.Errorf("pending %s: %w", o.chat, err)
	}
	defer rows.Close()
	var out []bot.Outgoing
	var payload []byte
	for rows.Next() {
		var g bot.Outgoing
		if err := rows.Scan(&g.ID, &payload, &g.Attempts); err != nil {
			return nil, fmt.Errorf("pending %s: %w", o.chat, err)
		}
		if skip != nil && skip(g.ID) {
			out = append(out, bot.Outgoing{ID: g.ID})
			continue
		}
		if err := json.Unmarshal(payload, &g.Reply); err != nil {
			return nil, fmt.Errorf("pending %s: row %d: %w", o.chat, g.ID, err)
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pending %s: %w", o.chat, err)
	}
	return out, nil
}
