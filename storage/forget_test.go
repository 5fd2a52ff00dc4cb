package storage

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

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

// A forgotten client leaves no trace in the file: not in their rows, not in
// the replies to them or to their linked account, not in a coach's messages
// that quote them, not in free pages, not in the write-ahead log. Every kind
// of answer a client can give carries a marker word, and after Forget the
// raw bytes of the database and its log hold no copy of it, while the
// database is still open (the log is emptied at the forget's commit) and
// after Close.
func TestForgetLeavesNothingOnDisk(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "coachbot.db")
	db, err := Open(context.Background(), path, WithClock(func() time.Time { return t0 }))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const marker = "zebracorn"
	said := func(what string) string { return what + " " + marker }
	seedCoach(t, db, "telegram:100")
	seedClient(t, db, "telegram:1", "telegram:100", "Ana "+marker)
	// Someone else's rows stay, and show the file is otherwise intact.
	seedClient(t, db, "telegram:2", "telegram:100", "Ben")

	update(t, db, func(tx flows.Tx) error {
		id, err := tx.AddExperiment(flows.Experiment{ClientID: "telegram:1", Kind: "action",
			Action: said("call my brother"), Why: said("closer family"), When: said("tonight"),
			People: said("he will be glad"), Recovery: said("a walk"), Energy: 3, Carry: 8})
		if err != nil {
			return err
		}
		if _, err := tx.AddCheckIn(flows.CheckIn{ClientID: "telegram:1", ExperimentID: id, Outcome: "done",
			Noticed: said("I was calmer"), Obstacle: said("the phone"), At: t0}); err != nil {
			return err
		}
		if _, err := tx.AddNonAction(flows.NonAction{ClientID: "telegram:1", Kind: "rest",
			Note: said("slept in"), Date: "2026-11-22", At: t0}); err != nil {
			return err
		}
		if _, err := tx.AddSessionNote(flows.SessionNote{ClientID: "telegram:1", Text: said("talk about work"), At: t0}); err != nil {
			return err
		}
		if _, err := tx.AddSuggestion(flows.Suggestion{CoachID: "telegram:100", ClientID: "telegram:1",
			Text: said("try a short walk"), Status: "open", At: t0}); err != nil {
			return err
		}
		if _, err := tx.AddAssessment(flows.Assessment{ClientID: "telegram:1", Skill: "boundaries", Stage: 2, At: t0}); err != nil {
			return err
		}
		if err := tx.AddAlias("discord:9", "telegram:1", "discord:dm9"); err != nil {
			return err
		}
		if err := tx.AddLinkCode("code1", "telegram:1", t0.Add(time.Hour)); err != nil {
			return err
		}
		// A conversation in progress on the linked account, with an answer
		// not yet stored anywhere else.
		if err := tx.SaveConversation(flows.Conversation{ChatID: "discord:dm9", UserID: "discord:9",
			Flow: "action", Step: "when", Version: 1, Answers: map[string]string{"action": said("draft answer")}}); err != nil {
			return err
		}
		for _, r := range []bot.Reply{
			{ChatID: "telegram:1", Text: "Saved: " + said("call my brother")},
			{ChatID: "discord:dm9", Text: "Noted: " + said("draft answer")},
			{ChatID: "telegram:100", Text: "Digest\nAna " + marker + ": " + said("I was calmer")},
			{ChatID: "telegram:100", Text: "Ben: nothing new"},
		} {
			if err := tx.Send(r, t0); err != nil {
				return err
			}
		}
		return nil
	})
	// Some replies were delivered, some not: both kinds must go.
	rows, err := db.Pending(context.Background(), bot.Telegram, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.MarkSent(context.Background(), rows[0].ID, t0); err != nil {
		t.Fatal(err)
	}

	update(t, db, func(tx flows.Tx) error { return tx.Forget("telegram:1") })

	check := func(when string) {
		t.Helper()
		for _, name := range []string{path, path + "-wal"} {
			b, err := os.ReadFile(name)
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			if i := bytes.Index(b, []byte(marker)); i >= 0 {
				t.Errorf("%s: %s holds %q at byte %d: ...%q...", when, filepath.Base(name), marker, i,
					b[max(0, i-40):min(len(b), i+40)])
			}
		}
	}
	check("after the forget's commit")
	if got := count(t, db, "outbox", "chat_id = 'telegram:100'"); got != 1 {
		t.Errorf("coach rows after forget = %d, want only Ben's", got)
	}
	if got := count(t, db, "clients", "id = 'telegram:2'"); got != 1 {
		t.Errorf("Ben is gone too")
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	check("after Close")
}

// Replies queued in the same commit before Forget are not reported as queued
// (they no longer exist), those queued after it are.
func TestForgetDropsQueuedReplies(t *testing.T) {
	db, _ := openDB(t)
	seedClient(t, db, "telegram:1", "", "Ana")
	var got []bot.Outgoing
	db.OnQueued(func(rows []bot.Outgoing) { got = append(got, rows...) })
	release := blockWriter(t, db)
	done := make(chan error, 2)
	go func() {
		done <- db.Update(context.Background(), func(tx flows.Tx) error {
			return tx.Send(bot.Reply{ChatID: "telegram:1", Text: "earlier in the commit"}, t0)
		})
	}()
	time.Sleep(10 * time.Millisecond)
	go func() {
		done <- db.Update(context.Background(), func(tx flows.Tx) error {
			if err := tx.Send(bot.Reply{ChatID: "telegram:1", Text: "before"}, t0); err != nil {
				return err
			}
			if err := tx.Forget("telegram:1"); err != nil {
				return err
			}
			return tx.Send(bot.Reply{ChatID: "telegram:1", Text: "goodbye"}, t0)
		})
	}()
	time.Sleep(10 * time.Millisecond)
	release()
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	db.OnQueued(nil)
	if len(got) != 1 || got[0].Reply.Text != "goodbye" {
		t.Fatalf("reported as queued: %+v, want only the goodbye", got)
	}
}

// TestForgetReachesALinkedAccountsChat: a linked account's DM channel is
// known from when it was linked, so a message sent there goes with the
// client even when it quotes nothing and no conversation remembers the chat.
func TestForgetReachesALinkedAccountsChat(t *testing.T) {
	db, _ := openDB(t)
	t0 := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	update(t, db, func(tx flows.Tx) error {
		if err := tx.SaveClient(flows.Client{ID: "telegram:1", ChatID: "telegram:1", Name: "Ana", Consented: true}); err != nil {
			return err
		}
		if err := tx.AddAlias("discord:5", "telegram:1", "discord:dm5"); err != nil {
			return err
		}
		return tx.Send(bot.Reply{ChatID: "discord:dm5", Text: "Here's how things are set up"}, t0)
	})
	update(t, db, func(tx flows.Tx) error { return tx.Forget("telegram:1") })
	rows, err := db.Pending(context.Background(), bot.Discord, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 0 {
		t.Fatalf("%d messages to the linked account's chat outlived the client", len(rows))
	}
}
