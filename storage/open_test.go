package storage

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/flows"
)

// One process owns a database: a second claim fails at once naming the owner,
// and the claim is free again after Close. Readers need no claim.
func TestOwnerLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "coachbot.db")
	first, err := Open(context.Background(), path, WithOwnerLock())
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(context.Background(), path, WithOwnerLock())
	var inUse *InUseError
	if !errors.As(err, &inUse) || inUse.PID != os.Getpid() {
		t.Fatalf("second owner: %v, want in use by process %d", err, os.Getpid())
	}
	if want := "database " + path + " is in use by process " + strconv.Itoa(os.Getpid()); err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
	reader, err := Open(context.Background(), path, Existing())
	if err != nil {
		t.Fatalf("a reader beside the owner: %v", err)
	}
	if err := reader.Close(); err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	second, err := Open(context.Background(), path, WithOwnerLock())
	if err != nil {
		t.Fatalf("claim after the owner closed: %v", err)
	}
	if err := second.Close(); err != nil {
		t.Fatal(err)
	}
}

// Existing opens only a file that is there, and creates nothing otherwise.
func TestOpenExisting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.db")
	_, err := Open(context.Background(), path, Existing())
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Open of a missing file: %v, want fs.ErrNotExist", err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 0 {
		t.Errorf("Open created %v", entries)
	}
}

// A database damaged in the middle fails Open with one line saying so.
func TestOpenDamaged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "coachbot.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	seedClient(t, db, "telegram:1", "", "Ana")
	update(t, db, func(tx flows.Tx) error {
		for i := range 2000 {
			if err := tx.Send(bot.Reply{ChatID: "telegram:1", Text: strings.Repeat("x", 100) + strconv.Itoa(i)}, t0); err != nil {
				return err
			}
		}
		return nil
	})
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	page := 4096
	mid := len(b) / 2 / page * page
	for i := mid; i < mid+3*page && i < len(b); i++ {
		b[i] = 0xa5
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Open(context.Background(), path)
	if err == nil {
		t.Fatal("a damaged database opened")
	}
	if msg := err.Error(); !strings.Contains(msg, "damaged") || strings.Contains(msg, "\n") {
		t.Fatalf("error %q: want one line saying the database is damaged", msg)
	}
}

// A database file the process may not write fails Open with one line. Root
// writes whatever the permission bits say, so there the test cannot provoke
// it; cmd/coachbot's test runs the binary as an unprivileged user instead.
func TestOpenReadOnly(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes read-only files; see TestReadOnlyDatabase in cmd/coachbot")
	}
	path := filepath.Join(t.TempDir(), "coachbot.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	_, err = Open(context.Background(), path)
	if err == nil || !strings.Contains(err.Error(), "cannot be written") {
		t.Fatalf("Open of a read-only file: %v, want cannot be written", err)
	}
}

// A full disk fails the update that needed the space with an error that says
// so; the others go on, and the log does not speak of a rollback that had
// nothing to undo.
func TestFullDisk(t *testing.T) {
	var logs bytes.Buffer
	db, _ := openDB(t, WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	seedClient(t, db, "telegram:1", "", "Ana")
	// The writer's connection may grow the file no further.
	if err := db.write(context.Background(), func(t *tx) error {
		var pages int
		if err := t.w.conn.QueryRowContext(context.Background(), `PRAGMA page_count`).Scan(&pages); err != nil {
			return err
		}
		_, err := t.w.conn.ExecContext(context.Background(), `PRAGMA max_page_count = `+strconv.Itoa(pages))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	logs.Reset()
	big := strings.Repeat("y", 1<<20)
	release := blockWriter(t, db)
	errs := make(chan error, 3)
	for _, text := range []string{"small", big, "small too"} {
		go func() {
			errs <- db.Update(context.Background(), func(tx flows.Tx) error {
				return tx.Send(bot.Reply{ChatID: "telegram:1", Text: text}, t0)
			})
		}()
	}
	release()
	var full int
	for range 3 {
		if err := <-errs; err != nil {
			if !strings.Contains(err.Error(), "full") {
				t.Errorf("update failed with %v, want disk full", err)
			}
			full++
		}
	}
	if full != 1 {
		t.Fatalf("%d updates failed, want only the big one", full)
	}
	if s := logs.String(); strings.Contains(s, "no transaction") || strings.Contains(s, "cannot rollback") {
		t.Errorf("log speaks of a rollback with nothing to undo:\n%s", s)
	}
	if n := strings.Count(logs.String(), "\n"); n > 1 {
		t.Errorf("log has %d lines, want at most one:\n%s", n, logs.String())
	}
	t.Logf("log:\n%s", logs.String())
}

// The outbox of one chat shows that chat's pending rows only.
func TestChatOutbox(t *testing.T) {
	db, _ := openDB(t)
	update(t, db, func(tx flows.Tx) error {
		for _, chat := range []string{"console:ana", "console:bob", "console:ana"} {
			if err := tx.Send(bot.Reply{ChatID: chat, Text: "for " + chat}, t0); err != nil {
				return err
			}
		}
		return nil
	})
	rows, err := db.ChatOutbox("console:ana").PendingAfter(context.Background(), bot.Console, 0, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Reply.ChatID != "console:ana" || rows[1].Reply.ChatID != "console:ana" {
		t.Fatalf("ana's outbox = %+v, want her two rows", rows)
	}
	if all, _ := db.Pending(context.Background(), bot.Console, 0); len(all) != 3 {
		t.Fatalf("all pending = %d rows, want 3", len(all))
	}
}
