package storage

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/flows"
)

// setReadOnly makes the writer connection read-only, as SQLite makes a
// connection whose file can no longer be written, or writable again. It runs
// on the connection directly: a read-only connection cannot even begin the
// transaction an update would run in.
func setReadOnly(tb testing.TB, db *DB, on bool) {
	tb.Helper()
	v := "0"
	if on {
		v = "1"
	}
	if _, err := db.w.conn.ExecContext(context.Background(), `PRAGMA query_only = `+v); err != nil {
		tb.Fatalf("query_only: %v", err)
	}
}

// execAll runs statements through the writer, as an update would.
func execAll(tb testing.TB, db *DB, queries ...string) {
	tb.Helper()
	err := db.write(context.Background(), func(t *tx) error {
		for _, q := range queries {
			if _, err := t.exec(q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("write: %v", err)
	}
}

func TestStats(t *testing.T) {
	t.Run("Empty", func(t *testing.T) {
		db, clk := openDB(t)
		got, err := db.Stats(t.Context(), clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		if got != (Stats{}) {
			t.Errorf("got %+v, want zero stats", got)
		}
	})
	t.Run("OK", func(t *testing.T) {
		db, clk := openDB(t)
		ms := func(d time.Duration) string { return itoa(t0.Add(d).UnixMilli()) }
		execAll(t, db,
			`INSERT INTO clients (id, chat_id, consented, created_at, updated_at, last_seen) VALUES
				('telegram:1', 'telegram:1', 1, 0, 0, `+ms(-time.Hour)+`),
				('telegram:2', 'telegram:2', 1, 0, 0, `+ms(-10*24*time.Hour)+`),
				('telegram:3', 'telegram:3', 0, 0, 0, `+ms(-time.Hour)+`),
				('telegram:4', 'telegram:4', 1, 0, 0, NULL)`,
			`INSERT INTO due (recipient_id, kind, date, at, status) VALUES
				('telegram:1', 'checkin', '2026-11-22', `+ms(-5*time.Minute)+`, 'pending'),
				('telegram:2', 'checkin', '2026-11-22', `+ms(-2*time.Minute)+`, 'pending'),
				('telegram:1', 'nudge', '2026-11-22', `+ms(time.Hour)+`, 'pending'),
				('telegram:2', 'nudge', '2026-11-22', `+ms(-time.Hour)+`, 'sent')`,
			`INSERT INTO safety_events (client_id, level, at) VALUES ('telegram:1', 'danger', 0), ('telegram:2', 'danger', 0)`,
			`DELETE FROM safety_events WHERE client_id = 'telegram:2'`,
		)
		update(t, db, func(tx flows.Tx) error {
			for i, d := range []time.Duration{-3 * time.Minute, -time.Minute, 0} {
				r := bot.Reply{ChatID: "telegram:1", Text: "reply " + itoa(int64(i))}
				if err := tx.Send(r, t0.Add(d)); err != nil {
					return err
				}
			}
			return nil
		})
		rows, err := db.Pending(t.Context(), bot.Telegram, 1)
		if err != nil || len(rows) != 1 {
			t.Fatalf("Pending: %v, %d rows", err, len(rows))
		}
		if err := db.MarkSent(t.Context(), rows[0].ID, t0); err != nil {
			t.Fatal(err)
		}

		got, err := db.Stats(t.Context(), clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		want := Stats{
			OutboxPending: 2, OldestPending: t0.Add(-time.Minute),
			OldestDue: t0.Add(-5 * time.Minute),
			Clients:   3, ActiveClients: 1,
			SafetyEvents: 2,
		}
		if !got.OldestPending.Equal(want.OldestPending) || !got.OldestDue.Equal(want.OldestDue) {
			t.Errorf("oldest pending %v, oldest due %v; want %v, %v", got.OldestPending, got.OldestDue, want.OldestPending, want.OldestDue)
		}
		got.OldestPending, got.OldestDue, want.OldestPending, want.OldestDue = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if got != want {
			t.Errorf("got %+v, want %+v", got, want)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestWriteCheck(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db, _ := openDB(t)
		if err := db.WriteCheck(t.Context()); err != nil {
			t.Fatalf("WriteCheck: %v", err)
		}
	})
	t.Run("ReadOnly", func(t *testing.T) {
		// The writer connection turned read-only, as it is when SQLite finds
		// the file can no longer be written: every write fails.
		db, _ := openDB(t)
		setReadOnly(t, db, true)
		err := db.WriteCheck(t.Context())
		if err == nil || !strings.Contains(err.Error(), "cannot be written") {
			t.Fatalf("WriteCheck on a read-only database: got %v, want 'cannot be written'", err)
		}
		setReadOnly(t, db, false)
		if err := db.WriteCheck(t.Context()); err != nil {
			t.Fatalf("WriteCheck once writable again: %v", err)
		}
	})
	t.Run("Closed", func(t *testing.T) {
		db, err := Open(t.Context(), filepath.Join(t.TempDir(), "c.db"))
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		if err := db.WriteCheck(t.Context()); !errors.Is(err, ErrClosed) {
			t.Fatalf("WriteCheck after Close: got %v, want ErrClosed", err)
		}
	})
}

func TestOnCommit(t *testing.T) {
	db, _ := openDB(t)
	var mu sync.Mutex
	var updates []int
	var failed int
	db.OnCommit(func(took time.Duration, n int, err error) {
		mu.Lock()
		defer mu.Unlock()
		if took <= 0 {
			t.Errorf("commit took %v", took)
		}
		if err != nil {
			failed++
		}
		updates = append(updates, n)
	})
	execAll(t, db, `SELECT 1`)
	setReadOnly(t, db, true)
	_ = db.WriteCheck(t.Context())
	setReadOnly(t, db, false)
	db.OnCommit(nil)
	execAll(t, db, `SELECT 1`)
	mu.Lock()
	defer mu.Unlock()
	if len(updates) != 2 || slices.Contains(updates, 0) {
		t.Errorf("observed commits of %v updates, want 2 commits of at least one", updates)
	}
	if failed != 1 {
		t.Errorf("observed %d failed commits, want 1", failed)
	}
}

func TestInspect(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db, _ := openDB(t)
		execAll(t, db,
			`INSERT INTO clients (id, chat_id, zone, created_at, updated_at) VALUES
				('telegram:1', 'telegram:1', 'Europe/Zurich', 0, 0), ('telegram:2', 'telegram:2', 'Asia/Kolkata', 0, 0),
				('telegram:3', 'telegram:3', 'Europe/Zurich', 0, 0)`,
			`INSERT INTO coaches (id, chat_id, zone, created_at) VALUES ('telegram:9', 'telegram:9', 'America/New_York', 0)`)
		in, err := Inspect(t.Context(), db.path)
		if err != nil {
			t.Fatal(err)
		}
		if in.Integrity != "ok" || in.Schema == 0 || in.Schema != in.Latest || in.Size == 0 {
			t.Errorf("got %+v, want integrity ok, schema at the latest version, a size", in)
		}
		if want := []string{"America/New_York", "Asia/Kolkata", "Europe/Zurich"}; !slices.Equal(in.Zones, want) {
			t.Errorf("zones: got %v, want %v", in.Zones, want)
		}
	})
	t.Run("Missing", func(t *testing.T) {
		_, err := Inspect(t.Context(), filepath.Join(t.TempDir(), "none.db"))
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("got %v, want fs.ErrNotExist", err)
		}
	})
	t.Run("Damaged", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "bad.db")
		if err := os.WriteFile(path, []byte(strings.Repeat("not a database ", 400)), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Inspect(t.Context(), path)
		if err == nil || !strings.Contains(err.Error(), "damaged") {
			t.Fatalf("got %v, want 'damaged'", err)
		}
	})
	t.Run("Empty", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "empty.db")
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		in, err := Inspect(t.Context(), path)
		if err != nil || in.Schema != 0 || in.Latest == 0 {
			t.Fatalf("got %+v, %v; want schema 0 of a latest version", in, err)
		}
	})
}
