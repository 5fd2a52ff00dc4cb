package storage

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/coachbot/coachbot/flows"
	"github.com/coachbot/coachbot/scheduler"
)

// t0 is the start of every test clock. Millisecond precision, like the storage.
var t0 = time.Date(2026, 11, 22, 9, 30, 0, 0, time.UTC)

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// openDB opens a fresh database in a temp dir with a clock at t0 and closes it
// when the test ends.
func openDB(tb testing.TB, opts ...Option) (*DB, *clock) {
	tb.Helper()
	clk := &clock{now: t0}
	db, err := Open(context.Background(), filepath.Join(tb.TempDir(), "coachbot.db"),
		append([]Option{WithClock(clk.Now)}, opts...)...)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return db, clk
}

// update runs fn in an Update and fails the test on error.
func update(tb testing.TB, db *DB, fn func(flows.Tx) error) {
	tb.Helper()
	if err := db.Update(context.Background(), fn); err != nil {
		tb.Fatalf("Update: %v", err)
	}
}

// view runs fn in a View and fails the test on error.
func view(tb testing.TB, db *DB, fn func(flows.Tx) error) {
	tb.Helper()
	if err := db.View(context.Background(), fn); err != nil {
		tb.Fatalf("View: %v", err)
	}
}

// count returns the number of rows of a table matching where (may be "").
func count(tb testing.TB, db *DB, table, where string, args ...any) int {
	tb.Helper()
	q := "SELECT count(*) FROM " + table
	if where != "" {
		q += " WHERE " + where
	}
	var n int
	if err := db.readerDB.QueryRow(q, args...).Scan(&n); err != nil {
		tb.Fatalf("count %s: %v", table, err)
	}
	return n
}

// seedCoach and seedClient store the minimum rows other rows refer to.
func seedCoach(tb testing.TB, db *DB, id string) flows.Coach {
	tb.Helper()
	c := flows.Coach{ID: id, ChatID: id, Name: "Coach " + id, Zone: scheduler.MustZone("Europe/Zurich"), DigestAt: scheduler.Clock{Hour: 18}}
	update(tb, db, func(tx flows.Tx) error { return tx.SaveCoach(c) })
	return c
}

func seedClient(tb testing.TB, db *DB, id, coachID, name string) flows.Client {
	tb.Helper()
	c := flows.Client{ID: id, ChatID: id, Name: name, Consented: true, Zone: scheduler.MustZone("Europe/Zurich"),
		CheckIn: scheduler.Clock{Hour: 9}, RestDays: scheduler.WeekdaysOf(time.Sunday), Cadence: scheduler.Cadence{}, CoachID: coachID, Anchor: scheduler.Date{Year: 2026, Month: 11, Day: 22}}
	update(tb, db, func(tx flows.Tx) error { return tx.SaveClient(c) })
	return c
}

// blockWriter occupies the writer goroutine until the returned release is
// called, so that updates queue up behind it and share the next commit.
func blockWriter(tb testing.TB, db *DB) (release func()) {
	tb.Helper()
	started := make(chan struct{})
	gate := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- db.Update(context.Background(), func(flows.Tx) error {
			close(started)
			<-gate
			return nil
		})
	}()
	<-started
	var once sync.Once
	release = func() {
		once.Do(func() {
			close(gate)
			if err := <-done; err != nil {
				tb.Errorf("blocking update: %v", err)
			}
		})
	}
	tb.Cleanup(release)
	return release
}
