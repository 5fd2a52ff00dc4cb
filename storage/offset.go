package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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

// SetOffset stores the polling position called name. It goes through the
// writer queue like every write, so it shares commits with the updates it
// acknowledges.
func (db *DB) SetOffset(ctx context.Context, name string, offset int64) error {
	err := db.write(ctx, func(t *tx) error {
		_, err := t.exec(`INSERT INTO offsets (name, value) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, offset)
		return err
	})
	if err != nil {
		return fmt.Errorf("set offset %s: %w", name, err)
	}
	return nil
}
