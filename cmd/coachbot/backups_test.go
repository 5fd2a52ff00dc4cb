package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/coachbot/coachbot/storage"
)

// stepClock is a test clock for the backup schedule: it moves only when told,
// and fires the timers whose time has come.
type stepClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []stepTimer
	armed  chan struct{} // told each time a timer is set
}

type stepTimer struct {
	at time.Time
	ch chan time.Time
}

func newStepClock(t time.Time) *stepClock { return &stepClock{now: t, armed: make(chan struct{}, 100)} }

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *stepClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	c.timers = append(c.timers, stepTimer{at: c.now.Add(d), ch: ch})
	c.armed <- struct{}{}
	return ch
}

// Advance moves the clock and fires the timers now due.
func (c *stepClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.timers[:0]
	for _, t := range c.timers {
		if t.at.After(c.now) {
			kept = append(kept, t)
			continue
		}
		t.ch <- c.now
	}
	c.timers = kept
}

// waitArmed waits until the schedule waits for the clock again.
func (c *stepClock) waitArmed(tb testing.TB) {
	tb.Helper()
	select {
	case <-c.armed:
	case <-time.After(10 * time.Second):
		tb.Fatal("the schedule did not wait for the clock")
	}
}

// attempts records what the schedule reports.
type attempts struct {
	mu   sync.Mutex
	errs []error
}

func (a *attempts) done(_ time.Time, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.errs = append(a.errs, err)
}

func (a *attempts) list() []error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.errs)
}

// startSchedule runs b until the test ends.
func startSchedule(t *testing.T, b *backupSchedule) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.run(ctx)
	}()
	t.Cleanup(func() { cancel(); <-done })
}

func backupNames(tb testing.TB, dir string) []string {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestBackupSchedule(t *testing.T) {
	t.Run("MadeAndPruned", func(t *testing.T) {
		dir := t.TempDir()
		dbPath := filepath.Join(dir, "coachbot.db")
		db, err := storage.Open(t.Context(), dbPath)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if err := os.MkdirAll(filepath.Join(dir, "backups"), 0o750); err != nil {
			t.Fatal(err)
		}
		// Something else of the operator's in the directory stays.
		if err := os.WriteFile(filepath.Join(dir, "backups", "notes.txt"), []byte("mine"), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg := defaultConfig()
		cfg.DB = dbPath
		cfg.Backup = BackupConfig{Every: Duration(24 * time.Hour), Keep: 3, Dir: "backups"}
		var got attempts
		b := newBackupSchedule(cfg, db, slog.New(slog.DiscardHandler), got.done)
		clk := newStepClock(time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC))
		b.clock = clk
		startSchedule(t, b)

		clk.waitArmed(t) // the first backup is made at start
		for range 5 {
			clk.Advance(24 * time.Hour)
			clk.waitArmed(t)
		}
		if errs := got.list(); len(errs) != 6 || errors.Join(errs...) != nil {
			t.Fatalf("attempts: %v, want 6 that succeeded", errs)
		}
		want := []string{"coachbot-20261126T030000Z.db", "coachbot-20261127T030000Z.db", "coachbot-20261128T030000Z.db", "notes.txt"}
		if names := backupNames(t, filepath.Join(dir, "backups")); !slices.Equal(names, want) {
			t.Errorf("backups: got %v, want %v", names, want)
		}
		in, err := storage.Inspect(t.Context(), filepath.Join(dir, "backups", want[2]))
		if err != nil || in.Integrity != "ok" || in.Schema != in.Latest {
			t.Errorf("newest backup: %+v, %v; want an intact database at the latest schema", in, err)
		}
	})
	t.Run("FailureRetried", func(t *testing.T) {
		dir := t.TempDir()
		src := &failingSource{fails: 2}
		cfg := defaultConfig()
		cfg.DB = filepath.Join(dir, "coachbot.db")
		cfg.Backup = BackupConfig{Every: Duration(24 * time.Hour), Keep: 7, Dir: filepath.Join(dir, "elsewhere")}
		var got attempts
		b := newBackupSchedule(cfg, src, slog.New(slog.DiscardHandler), got.done)
		clk := newStepClock(time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC))
		b.clock = clk
		startSchedule(t, b)

		clk.waitArmed(t)
		clk.Advance(59 * time.Minute) // a failure is tried again after an hour, not a day
		clk.Advance(time.Minute)
		clk.waitArmed(t)
		clk.Advance(time.Hour)
		clk.waitArmed(t)
		errs := got.list()
		if len(errs) != 3 || errs[0] == nil || errs[1] == nil || errs[2] != nil {
			t.Fatalf("attempts: %v, want two failures then a backup", errs)
		}
		if names := backupNames(t, filepath.Join(dir, "elsewhere")); !slices.Equal(names, []string{"coachbot-20261123T050000Z.db"}) {
			t.Errorf("backups: got %v, want the one made after the failures, and no partial copy", names)
		}
	})
	t.Run("AfterRestart", func(t *testing.T) {
		// The newest backup is ten hours old: the next is due in fourteen.
		dir := t.TempDir()
		start := time.Date(2026, 11, 23, 13, 0, 0, 0, time.UTC)
		if err := os.WriteFile(filepath.Join(dir, "coachbot-20261123T030000Z.db"), nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "coachbot-20261123T040000Z.db.partial"), nil, 0o600); err != nil {
			t.Fatal(err)
		}
		cfg := defaultConfig()
		cfg.DB = filepath.Join(dir, "coachbot.db")
		cfg.Backup = BackupConfig{Every: Duration(24 * time.Hour), Keep: 7, Dir: dir}
		var got attempts
		b := newBackupSchedule(cfg, &failingSource{}, slog.New(slog.DiscardHandler), got.done)
		clk := newStepClock(start)
		b.clock = clk
		startSchedule(t, b)
		clk.waitArmed(t)
		clk.Advance(14*time.Hour - time.Minute)
		if n := len(got.list()); n != 0 {
			t.Fatalf("%d backups before one was due", n)
		}
		clk.Advance(time.Minute)
		clk.waitArmed(t)
		if n := len(got.list()); n != 1 {
			t.Fatalf("%d backups when one was due, want 1", n)
		}
		want := []string{"coachbot-20261123T030000Z.db", "coachbot-20261124T030000Z.db"}
		if names := backupNames(t, dir); !slices.Equal(names, want) {
			t.Errorf("files: got %v, want %v (the partial copy removed)", names, want)
		}
	})
	t.Run("Off", func(t *testing.T) {
		if b := newBackupSchedule(defaultConfig(), &failingSource{}, nil, nil); b != nil {
			t.Error("a schedule with backup.every 0")
		}
	})
}

// failingSource fails its first fails backups, then writes an empty file.
type failingSource struct {
	mu    sync.Mutex
	fails int
}

func (f *failingSource) Backup(_ context.Context, path string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fails > 0 {
		f.fails--
		// A failure half-way leaves a partial file behind.
		_ = os.WriteFile(path, []byte("half"), 0o600)
		return errors.New("disk full")
	}
	return os.WriteFile(path, nil, 0o600)
}
