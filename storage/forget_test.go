package storage

import (
	"context"
	"testing"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/flows"
)

// Sent replies quote what the client wrote, so Forget deletes them too; the
// goodbye queued after Forget in the same transaction stays.
func TestForgetDeletesSentReplies(t *testing.T) {
	db, _ := openDB(t)
	seedClient(t, db, "telegram:1", "", "Ana")
	update(t, db, func(tx flows.Tx) error {
		return tx.Send(bot.Reply{ChatID: "telegram:1", Text: "Saved: call my brother"}, t0)
	})
	rows, err := db.Pending(context.Background(), bot.Telegram, 0)
	if err != nil || len(rows) != 1 {
		t.Fatalf("pending = %v, %v", rows, err)
	}
	if err := db.MarkSent(context.Background(), rows[0].ID, t0); err != nil {
		t.Fatal(err)
	}
	update(t, db, func(tx flows.Tx) error {
		if err := tx.Forget("telegram:1"); err != nil {
			return err
		}
		return tx.Send(bot.Reply{ChatID: "telegram:1", Text: "goodbye"}, t0)
	})
	if got := count(t, db, "outbox", "chat_id = ?", "telegram:1"); got != 1 {
		t.Fatalf("outbox rows after Forget = %d, want only the goodbye", got)
	}
}

func TestMarkSentAll(t *testing.T) {
	db, _ := openDB(t)
	ctx := context.Background()
	update(t, db, func(tx flows.Tx) error {
		for _, text := range []string{"one", "two", "three"} {
			if err := tx.Send(bot.Reply{ChatID: "telegram:1", Text: text}, t0); err != nil {
				return err
			}
		}
		return nil
	})
	rows, err := db.Pending(ctx, bot.Telegram, 0)
	if err != nil || len(rows) != 3 {
		t.Fatalf("pending = %v, %v", rows, err)
	}
	if err := db.MarkSentAll(ctx, []int64{rows[0].ID, rows[2].ID, 999}, t0); err != nil {
		t.Fatal(err)
	}
	left, err := db.PendingAfter(ctx, bot.Telegram, 0, 0, nil)
	if err != nil || len(left) != 1 || left[0].Reply.Text != "two" {
		t.Fatalf("pending after marking = %+v, %v; want only two", left, err)
	}
	if got, _ := db.PendingAfter(ctx, bot.Telegram, left[0].ID, 0, nil); len(got) != 0 {
		t.Fatalf("PendingAfter its own ID returned %+v", got)
	}
	if got := count(t, db, "outbox", "status = 'sent'"); got != 2 {
		t.Fatalf("sent rows = %d, want 2", got)
	}
}
