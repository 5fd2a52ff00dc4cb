package storage

import (
	"context"
	"errors"
	"testing"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/flows"
)

// The writer caches client rows; what a failed update wrote must not survive
// in the cache, and changes made behind the cache's back must show.
func TestClientCacheStaysTrue(t *testing.T) {
	db, _ := openDB(t)
	seedClient(t, db, "telegram:1", "", "Ana")
	name := func() string {
		t.Helper()
		var got string
		update(t, db, func(tx flows.Tx) error {
			c, err := tx.Client("telegram:1")
			got = c.Name
			return err
		})
		return got
	}
	if got := name(); got != "Ana" {
		t.Fatalf("name = %q", got)
	}

	t.Run("FailedUpdateLeavesNoTrace", func(t *testing.T) {
		boom := errors.New("boom")
		err := db.Update(context.Background(), func(tx flows.Tx) error {
			c, _ := tx.Client("telegram:1")
			c.Name = "Changed"
			if err := tx.SaveClient(c); err != nil {
				return err
			}
			if c, _ := tx.Client("telegram:1"); c.Name != "Changed" {
				t.Errorf("inside the update, name = %q, want its own write", c.Name)
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
		if got := name(); got != "Ana" {
			t.Fatalf("after a failed update name = %q, want Ana", got)
		}
	})
	t.Run("UnreachableShows", func(t *testing.T) {
		update(t, db, func(tx flows.Tx) error {
			return tx.Send(bot.Reply{ChatID: "telegram:1", Text: "hi"}, t0)
		})
		rows, err := db.Pending(context.Background(), bot.Telegram, 0)
		if err != nil || len(rows) == 0 {
			t.Fatal(rows, err)
		}
		if err := db.MarkUnreachable(context.Background(), rows[0].ID, "telegram:1"); err != nil {
			t.Fatal(err)
		}
		update(t, db, func(tx flows.Tx) error {
			c, err := tx.Client("telegram:1")
			if !c.Unreachable {
				t.Error("client not unreachable after MarkUnreachable")
			}
			return err
		})
	})
	t.Run("ForgetShows", func(t *testing.T) {
		update(t, db, func(tx flows.Tx) error { return tx.Forget("telegram:1") })
		update(t, db, func(tx flows.Tx) error {
			if _, err := tx.Client("telegram:1"); !errors.Is(err, flows.ErrNotFound) {
				t.Errorf("after Forget: %v, want ErrNotFound", err)
			}
			return nil
		})
	})
}
