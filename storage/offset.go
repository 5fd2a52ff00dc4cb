package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/coachbot/coachbot/bot"
)

const offsetSQL = `SELECT value FROM offsets WHERE name = ?`

// Offset returns the stored polling position called name, or 0 when none was
// stored yet.
func (db *DB) Offset(ctx context.Context, name string) (int64, error) {
	var v int64
	err := db.offset.QueryRowContext(ctx, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("offset %s: %w", name, err)
	}
	return v, nil
}

// Receive stores a batch of polled updates for name, with the polling position
// after it, and returns the batch's ID. The batch stays until Handled removes
// it. The poller waits for it before polling again, so it is committed ahead of
// the updates queued before it.
func (db *DB) Receive(ctx context.Context, name string, offset int64, updates []byte) (int64, error) {
	var id int64
	err := db.writeUrgent(ctx, func(t *tx) error {
		res, err := t.exec(`INSERT INTO inbox (name, updates, received_at) VALUES (?, ?, ?)`,
			name, updates, t.now().UnixMilli())
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		_, err = t.exec(`INSERT INTO offsets (name, value) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, offset)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("receive %s: %w", name, err)
	}
	return id, nil
}

// Handled removes batches whose every update was handled.
func (db *DB) Handled(ctx context.Context, ids []int64) error {
	err := db.write(ctx, func(t *tx) error {
		for _, id := range ids {
			if _, err := t.exec(`DELETE FROM inbox WHERE id = ?`, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("remove handled batches: %w", err)
	}
	return nil
}

// Unhandled returns the batches stored for name and not yet handled, oldest
// first.
func (db *DB) Unhandled(ctx context.Context, name string) ([]bot.Batch, error) {
	rows, err := db.readerDB.QueryContext(ctx, `SELECT id, updates FROM inbox WHERE name = ? ORDER BY id`, name)
	if err != nil {
		return nil, fmt.Errorf("unhandled %s: %w", name, err)
	}
	defer rows.Close()
	var out []bot.Batch
	for rows.Next() {
		var b bot.Batch
		if err := rows.Scan(&b.ID, &b.Data); err != nil {
			return nil, fmt.Errorf("unhandled %s: %w", name, err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("unhandled %s: %w", name, err)
	}
	return out, nil
}
