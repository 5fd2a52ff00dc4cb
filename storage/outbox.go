package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/flows"
)

// Send queues a reply in the outbox; it leaves after the commit. The platform is
// taken from the reply's qualified chat ID. A zero at is stored as the DB's clock.
func (t *tx) Send(r bot.Reply, at time.Time) error {
	platform, _, err := bot.SplitID(r.ChatID)
	if err != nil {
		return fmt.Errorf("send: %w", err)
	}
	payload, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("send to %s: %w", r.ChatID, err)
	}
	res, err := t.exec(`INSERT INTO outbox (platform, chat_id, payload, created_at) VALUES (?, ?, ?, ?)`,
		platform, r.ChatID, string(payload), t.orNow(at).UnixMilli())
	if err != nil {
		return fmt.Errorf("send to %s: %w", r.ChatID, err)
	}
	if t.w != nil {
		id, err := res.LastInsertId()
		if err != nil {
			return fmt.Errorf("send to %s: %w", r.ChatID, err)
		}
		t.queued = append(t.queued, bot.Outgoing{ID: id, Reply: r})
	}
	return nil
}

const pendingSQL = `SELECT id, payload, attempts FROM outbox
	WHERE platform = ? AND status = 'pending' AND id > ? ORDER BY id LIMIT ?`

// Pending returns up to limit unsent rows of one platform, oldest first (limit
// <= 0 means all).
func (db *DB) Pending(ctx context.Context, platform string, limit int) ([]bot.Outgoing, error) {
	return db.PendingAfter(ctx, platform, 0, limit, nil)
}

// PendingAfter returns up to limit unsent rows of one platform with IDs above
// after, oldest first (limit <= 0 means all). IDs only grow and a reader sees
// whole commits, so a dispatcher that remembers the last ID it read reads each
// row once. Rows skip reports the reader has already come back with their ID
// only, undecoded. It reads from the read pool and never waits for the writer.
func (db *DB) PendingAfter(ctx context.Context, platform string, after int64, limit int, skip func(id int64) bool) ([]bot.Outgoing, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := db.pending.QueryContext(ctx, platform, after, limit)
	if err != nil {
		return nil, fmt.Errorf("pending %s: %w", platform, err)
	}
	defer rows.Close()
	var out []bot.Outgoing
	var payload []byte
	for rows.Next() {
		var o bot.Outgoing
		if err := rows.Scan(&o.ID, &payload, &o.Attempts); err != nil {
			return nil, fmt.Errorf("pending %s: %w", platform, err)
		}
		if skip != nil && skip(o.ID) {
			out = append(out, bot.Outgoing{ID: o.ID})
			continue
		}
		if err := json.Unmarshal(payload, &o.Reply); err != nil {
			return nil, fmt.Errorf("pending %s: row %d: %w", platform, o.ID, err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pending %s: %w", platform, err)
	}
	return out, nil
}

// MarkSentAll records that the platform accepted these rows, in one
// transaction. Rows no longer pending (forgotten with their client meanwhile)
// are skipped.
func (db *DB) MarkSentAll(ctx context.Context, ids []int64, at time.Time) error {
	list, err := json.Marshal(ids)
	if err != nil {
		return fmt.Errorf("mark sent: %w", err)
	}
	return db.write(ctx, func(t *tx) error {
		// One statement for the whole list: the IDs travel as a JSON array.
		if _, err := t.exec(`UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1
			WHERE id IN (SELECT value FROM json_each(?)) AND status IN ('pending', 'sending')`,
			t.orNow(at).UnixMilli(), string(list)); err != nil {
			return fmt.Errorf("mark sent: %w", err)
		}
		return nil
	})
}

// MarkSent records that the platform accepted a pending row. A zero at is
// stored as the DB's clock. It fails with flows.ErrNotFound when no pending row
// has that ID (forgotten with its client, or already finished).
func (db *DB) MarkSent(ctx context.Context, id int64, at time.Time) error {
	return db.finish(ctx, "mark sent", id, func(t *tx) (sql.Result, error) {
		return t.exec(`UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1
			WHERE id = ? AND status IN ('pending', 'sending')`, t.orNow(at).UnixMilli(), id)
	})
}

// MarkSending records, just before a proactive row is sent, that it may
// arrive: a row left in this state by a crash is no longer pending, so it is
// never sent twice. It fails with flows.ErrNotFound when the row is not
// pending (forgotten with its client meanwhile).
func (db *DB) MarkSending(ctx context.Context, id int64) error {
	return db.finish(ctx, "mark sending", id, func(t *tx) (sql.Result, error) {
		return t.exec(`UPDATE outbox SET status = 'sending' WHERE id = ? AND status = 'pending'`, id)
	})
}

// MarkPending makes a row MarkSending took pending again, after a send that
// did not arrive and will be retried.
func (db *DB) MarkPending(ctx context.Context, id int64) error {
	return db.finish(ctx, "mark pending", id, func(t *tx) (sql.Result, error) {
		return t.exec(`UPDATE outbox SET status = 'pending' WHERE id = ? AND status = 'sending'`, id)
	})
}

// MarkFailed gives up on a pending row with the reason; it is never tried again.
func (db *DB) MarkFailed(ctx context.Context, id int64, reason string) error {
	return db.finish(ctx, "mark failed", id, func(t *tx) (sql.Result, error) {
		return t.exec(`UPDATE outbox SET status = 'failed', reason = ?, attempts = attempts + 1
			WHERE id = ? AND status IN ('pending', 'sending')`, reason, id)
	})
}

// MarkUnreachable drops a pending row because the platform refuses the chat, and
// flags every client and coach of that chat unreachable, which pauses their
// proactive messages until they write again. The flag is set even when the row
// is gone.
func (db *DB) MarkUnreachable(ctx context.Context, id int64, chatID string) error {
	return db.finish(ctx, "mark unreachable", id, func(t *tx) (sql.Result, error) {
		if t.w != nil {
			clear(t.w.clients) // rare: start the cache over rather than find the chat's clients
		}
		if _, err := t.exec(`UPDATE clients SET unreachable = 1, updated_at = ? WHERE chat_id = ? AND unreachable = 0`,
			t.now().UnixMilli(), chatID); err != nil {
			return nil, err
		}
		if _, err := t.exec(`UPDATE coaches SET unreachable = 1 WHERE chat_id = ?`, chatID); err != nil {
			return nil, err
		}
		return t.exec(`UPDATE outbox SET status = 'dropped', reason = 'unreachable', attempts = attempts + 1
			WHERE id = ? AND status IN ('pending', 'sending')`, id)
	})
}

// finish runs one outbox transition through the writer queue. A row that is
// not pending is reported after the commit, so what else the transition wrote
// (the flags of MarkUnreachable) still commits.
func (db *DB) finish(ctx context.Context, what string, id int64, update func(*tx) (sql.Result, error)) error {
	var missing bool
	err := db.write(ctx, func(t *tx) error {
		err := changed(update(t))
		missing = errors.Is(err, flows.ErrNotFound)
		if missing {
			return nil
		}
		return err
	})
	switch {
	case err != nil:
		return fmt.Errorf("%s %d: %w", what, id, err)
	case missing:
		return fmt.Errorf("%s %d: no pending row: %w", what, id, flows.ErrNotFound)
	}
	return nil
}
