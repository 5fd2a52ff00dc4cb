package storage

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/flows"
)

func TestOpen(t *testing.T) {
	t.Run("MigrationsIdempotent", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "weird ?#% name.db")
		ms, err := migrations()
		if err != nil {
			t.Fatal(err)
		}
		for i := range 2 {
			db, err := Open(t.Context(), path)
			if err != nil {
				t.Fatalf("open %d: %v", i, err)
			}
			v, err := db.SchemaVersion(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if want := ms[len(ms)-1].version; v != want {
				t.Errorf("open %d: got schema version %d, want %d", i, v, want)
			}
			if n := count(t, db, "schema_migrations", ""); n != len(ms) {
				t.Errorf("open %d: got %d migration records, want %d", i, n, len(ms))
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := os.Stat(path); err != nil {
			t.Errorf("database file: %v", err)
		}
	})
	t.Run("ForeignKeysOn", func(t *testing.T) {
		db, _ := openDB(t)
		var on int
		if err := db.readerDB.QueryRow(`PRAGMA foreign_keys`).Scan(&on); err != nil || on != 1 {
			t.Errorf("got foreign_keys %d, %v; want 1", on, err)
		}
	})
	t.Run("CloseIdempotent", func(t *testing.T) {
		db, _ := openDB(t)
		for range 2 {
			if err := db.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		}
		if err := db.Update(t.Context(), func(flows.Tx) error { return nil }); !errors.Is(err, ErrClosed) {
			t.Errorf("Update after Close: got %v, want ErrClosed", err)
		}
		if err := db.View(t.Context(), func(flows.Tx) error { return nil }); !errors.Is(err, ErrClosed) {
			t.Errorf("View after Close: got %v, want ErrClosed", err)
		}
	})
}

func TestGroupCommit(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db, _ := openDB(t)
		const n = 200
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				errs <- db.Update(t.Context(), func(tx flows.Tx) error {
					if _, err := tx.MarkSeen(fmt.Sprint("u", i), t0); err != nil {
						return err
					}
					return tx.Send(bot.Reply{ChatID: fmt.Sprint("telegram:", i), Text: "hi"}, t0)
				})
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("Update: %v", err)
			}
		}
		if got := count(t, db, "seen_updates", ""); got != n {
			t.Errorf("got %d seen updates, want %d", got, n)
		}
		if got := count(t, db, "outbox", ""); got != n {
			t.Errorf("got %d outbox rows, want %d", got, n)
		}
	})

	// The failing, panicking and cancelled updates queue behind a blocked writer
	// with good ones, so they share one commit with them.
	errBoom := errors.New("boom")
	for _, tt := range []struct {
		name string
		bad  func(tx flows.Tx) error
		want string
	}{
		{"FailingFn", func(tx flows.Tx) error { return errBoom }, "boom"},
		{"Panic", func(tx flows.Tx) error { panic("kaboom") }, "update panicked: kaboom"},
		{"ConstraintError", func(tx flows.Tx) error {
			_, err := tx.AddExperiment(flows.Experiment{ClientID: "nobody", Kind: flows.KindAction})
			return err
		}, "constraint"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := openDB(t)
			release := blockWriter(t, db)
			const n = 20
			var wg sync.WaitGroup
			errs := make([]error, n)
			var queued sync.WaitGroup
			queued.Add(n)
			for i := range n {
				wg.Go(func() {
					queued.Done()
					errs[i] = db.Update(t.Context(), func(tx flows.Tx) error {
						if _, err := tx.MarkSeen(fmt.Sprint("u", i), t0); err != nil {
							return err
						}
						if err := tx.Send(bot.Reply{ChatID: fmt.Sprint("telegram:", i)}, t0); err != nil {
							return err
						}
						if i == n/2 {
							return tt.bad(tx)
						}
						return nil
					})
				})
			}
			queued.Wait()
			time.Sleep(20 * time.Millisecond) // let them reach the queue; correctness does not depend on it
			release()
			wg.Wait()
			for i, err := range errs {
				if i == n/2 {
					if err == nil || !strings.Contains(err.Error(), tt.want) {
						t.Errorf("bad update: got %v, want an error containing %q", err, tt.want)
					}
					continue
				}
				if err != nil {
					t.Errorf("update %d: %v", i, err)
				}
			}
			if got := count(t, db, "seen_updates", "update_id = ?", fmt.Sprint("u", n/2)); got != 0 {
				t.Errorf("bad update left %d seen rows, want 0", got)
			}
			if got := count(t, db, "outbox", ""); got != n-1 {
				t.Errorf("got %d outbox rows, want %d", got, n-1)
			}
			if got := count(t, db, "seen_updates", ""); got != n-1 {
				t.Errorf("got %d seen rows, want %d", got, n-1)
			}
		})
	}

	t.Run("Goexit", func(t *testing.T) {
		db, _ := openDB(t)
		release := blockWriter(t, db)
		const n = 10
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				errs[i] = db.Update(t.Context(), func(tx flows.Tx) error {
					if _, err := tx.MarkSeen(fmt.Sprint("u", i), t0); err != nil {
						return err
					}
					if i == 0 {
						runtime.Goexit() // what t.FailNow does inside fn
					}
					return nil
				})
			})
		}
		time.Sleep(20 * time.Millisecond)
		release()
		wg.Wait()
		if !errors.Is(errs[0], errAborted) {
			t.Errorf("exiting update: got %v, want errAborted", errs[0])
		}
		for i, err := range errs {
			want := 1
			if err != nil {
				want = 0
				if !errors.Is(err, errAborted) {
					t.Errorf("update %d: %v", i, err)
				}
			}
			if got := count(t, db, "seen_updates", "update_id = ?", fmt.Sprint("u", i)); got != want {
				t.Errorf("update %d (err %v): got %d rows, want %d", i, err, got, want)
			}
		}
		// The writer is gone: later updates fail at once rather than wait.
		if err := db.Update(t.Context(), func(flows.Tx) error { return nil }); !errors.Is(err, errAborted) {
			t.Errorf("update after the writer ended: %v, want errAborted", err)
		}
	})
	t.Run("CancelledBeforeQueued", func(t *testing.T) {
		db, _ := openDB(t)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		ran := false
		err := db.Update(ctx, func(flows.Tx) error { ran = true; return nil })
		if !errors.Is(err, context.Canceled) || ran {
			t.Errorf("got %v, ran %v; want context.Canceled, not run", err, ran)
		}
	})
	t.Run("CancelledWhileQueued", func(t *testing.T) {
		db, _ := openDB(t)
		release := blockWriter(t, db)
		ctx, cancel := context.WithCancel(t.Context())
		var ran atomic.Bool
		done := make(chan error, 1)
		go func() {
			done <- db.Update(ctx, func(tx flows.Tx) error {
				ran.Store(true)
				_, err := tx.MarkSeen("cancelled", t0)
				return err
			})
		}()
		time.Sleep(10 * time.Millisecond)
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("got %v, want context.Canceled", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Update did not return after its context was cancelled")
		}
		release()
		update(t, db, func(flows.Tx) error { return nil }) // the writer has moved past it
		if ran.Load() {
			t.Error("fn ran although its context was cancelled while queued")
		}
		if got := count(t, db, "seen_updates", ""); got != 0 {
			t.Errorf("got %d seen rows, want 0", got)
		}
	})
	t.Run("CancelledInBatch", func(t *testing.T) {
		db, _ := openDB(t)
		release := blockWriter(t, db)
		gate, started := make(chan struct{}), make(chan struct{})
		var closeGate sync.Once
		defer closeGate.Do(func() { close(gate) })
		first := make(chan error, 1)
		go func() {
			first <- db.Update(t.Context(), func(flows.Tx) error { close(started); <-gate; return nil })
		}()
		// The queue is first come, first served: let the first update queue up
		// before the second, so the second waits behind it in the same batch.
		time.Sleep(30 * time.Millisecond)
		ctx, cancel := context.WithCancel(t.Context())
		var ran atomic.Bool
		second := make(chan error, 1)
		go func() { second <- db.Update(ctx, func(flows.Tx) error { ran.Store(true); return nil }) }()
		time.Sleep(30 * time.Millisecond)
		release()
		<-started
		cancel()
		select {
		case err := <-second:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("got %v, want context.Canceled", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Update did not return after its context was cancelled")
		}
		closeGate.Do(func() { close(gate) })
		if err := <-first; err != nil {
			t.Errorf("first update: %v", err)
		}
		update(t, db, func(flows.Tx) error { return nil })
		if ran.Load() {
			t.Error("fn ran although its context was cancelled while queued")
		}
	})
	t.Run("CloseFinishesQueued", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "db")
		db, err := Open(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		release := blockWriter(t, db)
		const n = 10
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				errs[i] = db.Update(t.Context(), func(tx flows.Tx) error {
					_, err := tx.MarkSeen(fmt.Sprint("u", i), t0)
					return err
				})
			})
		}
		time.Sleep(20 * time.Millisecond)
		closed := make(chan error, 1)
		go func() { closed <- db.Close() }()
		time.Sleep(10 * time.Millisecond)
		release()
		wg.Wait()
		if err := <-closed; err != nil {
			t.Fatalf("Close: %v", err)
		}
		db, err = Open(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for i, err := range errs {
			want := 1
			if errors.Is(err, ErrClosed) {
				want = 0
			} else if err != nil {
				t.Errorf("update %d: %v", i, err)
			}
			if got := count(t, db, "seen_updates", "update_id = ?", fmt.Sprint("u", i)); got != want {
				t.Errorf("update %d (err %v): got %d rows, want %d", i, err, got, want)
			}
		}
	})
}

func TestView(t *testing.T) {
	db, _ := openDB(t)
	seedClient(t, db, "u1", "", "Ann")
	t.Run("OK", func(t *testing.T) {
		view(t, db, func(tx flows.Tx) error {
			_, err := tx.Client("u1")
			return err
		})
	})
	t.Run("CannotWrite", func(t *testing.T) {
		for name, fn := range map[string]func(flows.Tx) error{
			"SaveClient": func(tx flows.Tx) error { return tx.SaveClient(flows.Client{ID: "u2", ChatID: "u2"}) },
			"MarkSeen":   func(tx flows.Tx) error { _, err := tx.MarkSeen("x", t0); return err },
			"Send":       func(tx flows.Tx) error { return tx.Send(bot.Reply{ChatID: "telegram:1"}, t0) },
		} {
			if err := db.View(t.Context(), fn); err == nil {
				t.Errorf("%s in View: got nil error, want a read-only error", name)
			}
		}
		if got := count(t, db, "clients", ""); got != 1 {
			t.Errorf("got %d clients, want 1", got)
		}
	})
	t.Run("ReturnsFnError", func(t *testing.T) {
		errBoom := errors.New("boom")
		if err := db.View(t.Context(), func(flows.Tx) error { return errBoom }); !errors.Is(err, errBoom) {
			t.Errorf("got %v, want %v", err, errBoom)
		}
	})
}

func TestOutbox(t *testing.T) {
	db, clk := openDB(t)
	send := func(chat, text string) {
		t.Helper()
		update(t, db, func(tx flows.Tx) error { return tx.Send(bot.Reply{ChatID: chat, Text: text}, t0) })
	}
	send("telegram:1", "a")
	send("discord:1", "b")
	send("telegram:2", "c")
	send("telegram:1", "d")
	texts := func(platform string, limit int) []string {
		t.Helper()
		rows, err := db.Pending(t.Context(), platform, limit)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rows {
			out = append(out, r.Reply.Text)
		}
		return out
	}
	t.Run("OrderPerPlatform", func(t *testing.T) {
		if got, want := fmt.Sprint(texts(bot.Telegram, 10)), "[a c d]"; got != want {
			t.Errorf("telegram: got %s, want %s", got, want)
		}
		if got, want := fmt.Sprint(texts(bot.Discord, 10)), "[b]"; got != want {
			t.Errorf("discord: got %s, want %s", got, want)
		}
		if got, want := fmt.Sprint(texts(bot.Telegram, 2)), "[a c]"; got != want {
			t.Errorf("telegram limit 2: got %s, want %s", got, want)
		}
	})
	rows, err := db.Pending(t.Context(), bot.Telegram, 10)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("MarkSent", func(t *testing.T) {
		clk.Add(time.Second)
		if err := db.MarkSent(t.Context(), rows[0].ID, time.Time{}); err != nil {
			t.Fatal(err)
		}
		if got, want := fmt.Sprint(texts(bot.Telegram, 10)), "[c d]"; got != want {
			t.Errorf("got %s, want %s", got, want)
		}
		if n := count(t, db, "outbox", "id = ? AND status = 'sent' AND sent_at = ? AND attempts = 1", rows[0].ID, clk.Now().UnixMilli()); n != 1 {
			t.Errorf("row not marked sent at the clock's time")
		}
	})
	t.Run("MarkFailed", func(t *testing.T) {
		if err := db.MarkFailed(t.Context(), rows[1].ID, "bad request"); err != nil {
			t.Fatal(err)
		}
		if got, want := fmt.Sprint(texts(bot.Telegram, 10)), "[d]"; got != want {
			t.Errorf("got %s, want %s", got, want)
		}
		if n := count(t, db, "outbox", "id = ? AND status = 'failed' AND reason = 'bad request'", rows[1].ID); n != 1 {
			t.Errorf("row not marked failed with its reason")
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		for name, err := range map[string]error{
			"sent twice":   db.MarkSent(t.Context(), rows[0].ID, t0),
			"failed sent":  db.MarkFailed(t.Context(), rows[0].ID, "x"),
			"missing row":  db.MarkSent(t.Context(), 9999, t0),
			"missing drop": db.MarkUnreachable(t.Context(), 9999, "telegram:none"),
		} {
			if !errors.Is(err, flows.ErrNotFound) {
				t.Errorf("%s: got %v, want ErrNotFound", name, err)
			}
		}
	})
}

func TestMarkUnreachable(t *testing.T) {
	db, _ := openDB(t)
	seedCoach(t, db, "telegram:9")
	seedClient(t, db, "telegram:1", "telegram:9", "Ann")
	seedClient(t, db, "telegram:2", "telegram:9", "Bob")
	update(t, db, func(tx flows.Tx) error {
		for _, chat := range []string{"telegram:1", "telegram:9"} {
			if err := tx.Send(bot.Reply{ChatID: chat, Text: "hello"}, t0); err != nil {
				return err
			}
		}
		return nil
	})
	rows, err := db.Pending(t.Context(), bot.Telegram, 10)
	if err != nil || len(rows) != 2 {
		t.Fatalf("got %d rows, %v; want 2", len(rows), err)
	}
	for _, r := range rows {
		if err := db.MarkUnreachable(t.Context(), r.ID, r.Reply.ChatID); err != nil {
			t.Fatal(err)
		}
	}
	view(t, db, func(tx flows.Tx) error {
		for id, want := range map[string]bool{"telegram:1": true, "telegram:2": false} {
			c, err := tx.Client(id)
			if err != nil {
				return err
			}
			if c.Unreachable != want {
				t.Errorf("client %s: got unreachable %v, want %v", id, c.Unreachable, want)
			}
		}
		return nil
	})
	if n := count(t, db, "coaches", "unreachable = 1"); n != 1 {
		t.Errorf("got %d unreachable coaches, want 1", n)
	}
	if n := count(t, db, "outbox", "status = 'dropped'"); n != 2 {
		t.Errorf("got %d dropped rows, want 2", n)
	}
}

func TestForget(t *testing.T) {
	db, _ := openDB(t)
	seedCoach(t, db, "coach")
	everything := func(id string) {
		t.Helper()
		seedClient(t, db, id, "coach", "name "+id)
		update(t, db, func(tx flows.Tx) error {
			exp, err := tx.AddExperiment(flows.Experiment{ClientID: id, Kind: flows.KindAction})
			if err != nil {
				return err
			}
			steps := []func() error{
				func() error {
					_, err := tx.AddCheckIn(flows.CheckIn{ClientID: id, ExperimentID: exp, Outcome: "done", At: t0})
					return err
				},
				func() error {
					_, err := tx.AddNonAction(flows.NonAction{ClientID: id, Kind: "rest", Date: "2026-11-22", At: t0})
					return err
				},
				func() error {
					_, err := tx.AddSessionNote(flows.SessionNote{ClientID: id, Text: "bring this"})
					return err
				},
				func() error {
					_, err := tx.AddAssessment(flows.Assessment{ClientID: id, Skill: "s", Stage: 1})
					return err
				},
				func() error {
					_, err := tx.AddSuggestion(flows.Suggestion{CoachID: "coach", ClientID: id, Text: "t"})
					return err
				},
				func() error {
					_, err := tx.AddDue(flows.Due{RecipientID: id, Kind: "checkin", Date: "2026-11-22", At: t0})
					return err
				},
				func() error {
					return tx.SaveConversation(flows.Conversation{ChatID: id, UserID: id, Flow: "f", Step: "s"})
				},
				func() error { return tx.AddInvite(flows.Invite{Code: "inv-" + id, CoachID: "coach"}) },
				func() error { return tx.UseInvite("inv-"+id, id, t0) },
				func() error { return tx.Send(bot.Reply{ChatID: id, Text: "pending"}, t0) },
			}
			for _, s := range steps {
				if err := s(); err != nil {
					return err
				}
			}
			return nil
		})
	}
	everything("telegram:1")
	everything("telegram:2")
	update(t, db, func(tx flows.Tx) error {
		if err := tx.Forget("telegram:1"); err != nil {
			return err
		}
		return tx.Send(bot.Reply{ChatID: "telegram:1", Text: "goodbye"}, t0)
	})
	tables := []struct{ table, column string }{
		{"clients", "id"}, {"experiments", "client_id"}, {"check_ins", "client_id"},
		{"non_actions", "client_id"}, {"session_notes", "client_id"}, {"assessments", "client_id"}, {"suggestions", "client_id"},
		{"due", "recipient_id"}, {"conversations", "user_id"}, {"invites", "used_by"},
	}
	for _, tt := range tables {
		if got := count(t, db, tt.table, tt.column+" = ?", "telegram:1"); got != 0 {
			t.Errorf("%s: got %d rows of the forgotten client, want 0", tt.table, got)
		}
		if got := count(t, db, tt.table, tt.column+" = ?", "telegram:2"); got != 1 {
			t.Errorf("%s: got %d rows of the other client, want 1", tt.table, got)
		}
	}
	rows, err := db.Pending(t.Context(), bot.Telegram, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.Reply.ChatID+" "+r.Reply.Text)
	}
	if want := "[telegram:2 pending telegram:1 goodbye]"; fmt.Sprint(got) != want {
		t.Errorf("pending: got %v, want %s", got, want)
	}
	if n := count(t, db, "invites", "code = 'inv-telegram:1' AND used_at IS NOT NULL"); n != 1 {
		t.Error("the forgotten client's invite is no longer marked used")
	}
	t.Run("Unknown", func(t *testing.T) {
		update(t, db, func(tx flows.Tx) error { return tx.Forget("telegram:404") })
	})
}

func TestBackup(t *testing.T) {
	db, _ := openDB(t)
	seedClient(t, db, "u1", "", "Ann")
	dir := t.TempDir()

	t.Run("OK", func(t *testing.T) {
		stop := make(chan struct{})
		var wg sync.WaitGroup
		var writes atomic.Int64
		for w := range 4 {
			wg.Go(func() {
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					err := db.Update(t.Context(), func(tx flows.Tx) error {
						_, err := tx.MarkSeen(fmt.Sprint(w, "-", i), t0)
						return err
					})
					if err != nil {
						t.Errorf("write during backup: %v", err)
						return
					}
					writes.Add(1)
				}
			})
		}
		for writes.Load() < 20 {
			time.Sleep(time.Millisecond)
		}
		path := filepath.Join(dir, "backup.db")
		err := db.Backup(t.Context(), path)
		before := writes.Load()
		for writes.Load() < before+20 {
			time.Sleep(time.Millisecond)
		}
		close(stop)
		wg.Wait()
		if err != nil {
			t.Fatalf("Backup: %v", err)
		}
		copyDB, err := Open(t.Context(), path)
		if err != nil {
			t.Fatalf("open backup: %v", err)
		}
		defer copyDB.Close()
		view(t, copyDB, func(tx flows.Tx) error {
			c, err := tx.Client("u1")
			if err == nil && c.Name != "Ann" {
				t.Errorf("got name %q in backup, want Ann", c.Name)
			}
			return err
		})
		if n := count(t, copyDB, "seen_updates", ""); n == 0 {
			t.Error("backup holds none of the writes made before it")
		}
	})
	t.Run("ErrExist", func(t *testing.T) {
		path := filepath.Join(dir, "exists.db")
		if err := os.WriteFile(path, []byte("keep me"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := db.Backup(t.Context(), path); !errors.Is(err, fs.ErrExist) {
			t.Errorf("got %v, want fs.ErrExist", err)
		}
		if b, _ := os.ReadFile(path); string(b) != "keep me" {
			t.Errorf("existing file was changed to %q", b)
		}
	})
}

func TestOffset(t *testing.T) {
	db, _ := openDB(t)
	get := func(name string) int64 {
		t.Helper()
		v, err := db.Offset(t.Context(), name)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if got := get("telegram"); got != 0 {
		t.Errorf("got %d before any set, want 0", got)
	}
	for _, v := range []int64{42, 43} {
		if _, err := db.Receive(t.Context(), "telegram", v, []byte(`[]`)); err != nil {
			t.Fatal(err)
		}
		if got := get("telegram"); got != v {
			t.Errorf("got %d, want %d", got, v)
		}
	}
	if got := get("other"); got != 0 {
		t.Errorf("other name: got %d, want 0", got)
	}
}

func TestPrune(t *testing.T) {
	db, _ := openDB(t)
	old, recent := t0.Add(-48*time.Hour), t0
	update(t, db, func(tx flows.Tx) error {
		for i, at := range []time.Time{old, old, recent} {
			if _, err := tx.MarkSeen(fmt.Sprint("s", i), at); err != nil {
				return err
			}
		}
		for _, at := range []time.Time{old, old, old, recent} {
			if err := tx.Send(bot.Reply{ChatID: "telegram:1"}, at); err != nil {
				return err
			}
		}
		return nil
	})
	rows, err := db.Pending(t.Context(), bot.Telegram, 10)
	if err != nil {
		t.Fatal(err)
	}
	// Old rows: one sent, one failed, one still pending; the recent one sent.
	if err := db.MarkSent(t.Context(), rows[0].ID, old); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkFailed(t.Context(), rows[1].ID, "x"); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkSent(t.Context(), rows[3].ID, recent); err != nil {
		t.Fatal(err)
	}
	if err := db.Prune(t.Context(), t0.Add(-24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := count(t, db, "seen_updates", ""); got != 1 {
		t.Errorf("got %d seen rows, want 1", got)
	}
	var ids []int64
	r, err := db.readerDB.Query(`SELECT id FROM outbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
		var id int64
		r.Scan(&id)
		ids = append(ids, id)
	}
	r.Close()
	if want := []int64{rows[2].ID, rows[3].ID}; fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Errorf("got outbox rows %v, want %v (old pending and recent sent)", ids, want)
	}
}

func TestPruneManyChunks(t *testing.T) {
	db, _ := openDB(t)
	const n = pruneChunk*2 + 10
	update(t, db, func(tx flows.Tx) error {
		for i := range n {
			if _, err := tx.MarkSeen(fmt.Sprint(i), t0.Add(-time.Hour)); err != nil {
				return err
			}
		}
		return nil
	})
	if err := db.Prune(t.Context(), t0); err != nil {
		t.Fatal(err)
	}
	if got := count(t, db, "seen_updates", ""); got != 0 {
		t.Errorf("got %d seen rows after prune, want 0", got)
	}
}
