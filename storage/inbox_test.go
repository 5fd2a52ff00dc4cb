package storage

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/flows"
)

func TestInbox(t *testing.T) {
	db, _ := openDB(t)
	ctx := t.Context()
	one, err := db.Receive(ctx, "telegram:1", 11, []byte(`[{"update_id":10}]`))
	if err != nil {
		t.Fatal(err)
	}
	two, err := db.Receive(ctx, "telegram:1", 13, []byte(`[{"update_id":11},{"update_id":12}]`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Receive(ctx, "telegram:2", 5, []byte(`[{"update_id":4}]`)); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Offset(ctx, "telegram:1"); got != 13 {
		t.Errorf("offset after two batches: got %d, want 13 (stored with the batch)", got)
	}
	left, err := db.Unhandled(ctx, "telegram:1")
	if err != nil {
		t.Fatal(err)
	}
	want := []bot.Batch{{ID: one, Data: []byte(`[{"update_id":10}]`)}, {ID: two, Data: []byte(`[{"update_id":11},{"update_id":12}]`)}}
	if fmt.Sprint(left) != fmt.Sprint(want) {
		t.Fatalf("unhandled: got %v, want %v, oldest first and only this name's", left, want)
	}
	if err := db.Handled(ctx, []int64{one}); err != nil {
		t.Fatal(err)
	}
	left, _ = db.Unhandled(ctx, "telegram:1")
	if len(left) != 1 || left[0].ID != two {
		t.Errorf("after the first is handled: got %v, want only batch %d", left, two)
	}
	if other, _ := db.Unhandled(ctx, "telegram:2"); len(other) != 1 {
		t.Errorf("other name's batches: got %d, want 1 untouched", len(other))
	}
}

// An urgent write (a poller waiting to confirm a batch) overtakes the jobs of
// the commit in progress that have not run yet; those still commit, after it.
// Each job looks, while it runs, whether the urgent write is already committed.
func TestUrgentWriteOvertakes(t *testing.T) {
	db, _ := openDB(t)
	ctx := t.Context()
	urgentWaits := make(chan struct{}, 1)
	testHookUrgent = func() { urgentWaits <- struct{}{} }
	t.Cleanup(func() { testHookUrgent = func() {} })

	var mu sync.Mutex
	var sawUrgent, before []string // jobs that ran after, and before, the urgent commit
	ran := func(name string) {
		committed, err := db.Unhandled(ctx, "telegram:1")
		if err != nil {
			t.Error(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(committed) > 0 {
			sawUrgent = append(sawUrgent, name)
		} else {
			before = append(before, name)
		}
	}

	// A first job holds the writer while ten more queue up behind it, so the
	// ten are gathered into one batch.
	hold := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		update(t, db, func(flows.Tx) error { <-hold; return nil })
	})
	time.Sleep(50 * time.Millisecond)
	var first sync.Once
	for i := range 10 {
		name := fmt.Sprintf("n%d", i)
		wg.Go(func() {
			update(t, db, func(tx flows.Tx) error {
				ran(name)
				first.Do(func() {
					// The urgent write arrives while the batch runs.
					wg.Go(func() {
						if _, err := db.Receive(ctx, "telegram:1", 2, []byte(`[]`)); err != nil {
							t.Error(err)
						}
					})
					<-urgentWaits
					time.Sleep(20 * time.Millisecond) // from the hook to the send
				})
				return tx.Send(bot.Reply{ChatID: "telegram:" + name, Text: name}, time.Time{})
			})
		})
	}
	time.Sleep(50 * time.Millisecond) // all ten wait for the writer
	close(hold)
	wg.Wait()

	if len(before) != 1 || len(sawUrgent) != 9 {
		t.Errorf("ran before the urgent write committed: %v, after: %v; want only the first job before it", before, sawUrgent)
	}
	rows, err := db.Pending(ctx, bot.Telegram, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 10 {
		t.Errorf("%d replies committed, want all 10: the overtaken jobs commit too", len(rows))
	}
}

// OnQueued hears of the outbox rows each commit wrote, with their IDs, and
// not of rows whose update failed.
func TestOnQueued(t *testing.T) {
	db, _ := openDB(t)
	var mu sync.Mutex
	var heard []bot.Outgoing
	db.OnQueued(func(rows []bot.Outgoing) {
		mu.Lock()
		heard = append(heard, rows...)
		mu.Unlock()
	})
	update(t, db, func(tx flows.Tx) error {
		if err := tx.Send(bot.Reply{ChatID: "telegram:1", Text: "one"}, time.Time{}); err != nil {
			return err
		}
		return tx.Send(bot.Reply{ChatID: "telegram:1", Text: "two"}, time.Time{})
	})
	err := db.Update(t.Context(), func(tx flows.Tx) error {
		if err := tx.Send(bot.Reply{ChatID: "telegram:1", Text: "rolled back"}, time.Time{}); err != nil {
			return err
		}
		return context.Canceled
	})
	if err == nil {
		t.Fatal("failing update succeeded")
	}
	db.OnQueued(nil)
	update(t, db, func(tx flows.Tx) error {
		return tx.Send(bot.Reply{ChatID: "telegram:1", Text: "unheard"}, time.Time{})
	})

	rows, err := db.Pending(t.Context(), bot.Telegram, 0)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(heard) != 2 || len(rows) != 3 {
		t.Fatalf("heard %d rows of %d stored, want the 2 of the first commit", len(heard), len(rows))
	}
	for i, o := range heard {
		if o.ID != rows[i].ID || o.Reply.Text != rows[i].Reply.Text {
			t.Errorf("heard %+v, stored %+v", o, rows[i])
		}
	}
}

// Urgent jobs gathered into a batch run before the others, in the order they
// came.
func TestPutUrgent(t *testing.T) {
	a, b := &job{}, &job{}
	u1, u2 := &job{urgent: true}, &job{urgent: true}
	batch := putUrgent([]*job{a, b}, u1)
	batch = putUrgent(batch, u2)
	if want := []*job{u1, u2, a, b}; !slices.Equal(batch, want) {
		t.Errorf("batch order wrong: got %v, want %v", batch, want)
	}
}
