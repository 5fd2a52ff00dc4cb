package storage

import (
	"context"
	"errors"
	"testing"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/flows"
)

// A row marked sending is no longer pending, so a restart never sends it
// again; MarkPending puts it back, and it can be marked sent from either state.
func TestMarkSending(t *testing.T) {
	db, _ := openDB(t)
	ctx := context.Background()
	update(t, db, func(tx flows.Tx) error {
		for _, text := range []string{"invitation", "digest"} {
			if err := tx.Send(bot.Reply{ChatID: "telegram:1", Kind: "checkin", Text: text}, t0); err != nil {
				return err
			}
		}
		return nil
	})
	rows, err := db.Pending(ctx, bot.Telegram, 0)
	if err != nil || len(rows) != 2 {
		t.Fatalf("pending = %v, %v", rows, err)
	}
	for _, r := range rows {
		if err := db.MarkSending(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.MarkSending(ctx, rows[0].ID); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("marking a row sending twice: %v, want ErrNotFound", err)
	}
	if left, _ := db.Pending(ctx, bot.Telegram, 0); len(left) != 0 {
		t.Fatalf("rows being sent are still pending: %+v", left)
	}
	if err := db.MarkPending(ctx, rows[1].ID); err != nil {
		t.Fatal(err)
	}
	if left, _ := db.Pending(ctx, bot.Telegram, 0); len(left) != 1 || left[0].ID != rows[1].ID {
		t.Fatalf("pending after MarkPending = %+v, want the digest", left)
	}
	if err := db.MarkSentAll(ctx, []int64{rows[0].ID, rows[1].ID}, t0); err != nil {
		t.Fatal(err)
	}
	if got := count(t, db, "outbox", "status = 'sent'"); got != 2 {
		t.Fatalf("sent rows = %d, want 2", got)
	}
}
