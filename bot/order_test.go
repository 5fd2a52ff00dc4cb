package bot

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// Work for one chat runs one piece at a time in the order added; chats run in
// parallel.
func TestChatsOrder(t *testing.T) {
	var mu sync.Mutex
	got := map[string][]string{}
	active := map[string]int{}
	var overlap, parallel int
	running := 0
	h := HandlerFunc(func(_ context.Context, m Message) error {
		mu.Lock()
		active[m.ChatID]++
		running++
		if active[m.ChatID] > 1 {
			overlap++
		}
		if running > 1 {
			parallel++
		}
		mu.Unlock()
		time.Sleep(time.Millisecond)
		mu.Lock()
		got[m.ChatID] = append(got[m.ChatID], m.Text)
		active[m.ChatID]--
		running--
		mu.Unlock()
		return nil
	})
	var chats Chats
	for i := range 5 {
		for c := range 8 {
			m := Message{ChatID: fmt.Sprintf("t:%d", c), Text: fmt.Sprint(i)}
			chats.Go(m.ChatID, func() {
				if err := h.Handle(context.Background(), m); err != nil {
					t.Error(err)
				}
			})
		}
		time.Sleep(time.Duration(i%2) * time.Millisecond) // some chats drain between additions
	}
	chats.Wait()
	if len(got) != 8 {
		t.Fatalf("handled %d chats, want 8", len(got))
	}
	for c, texts := range got {
		if fmt.Sprint(texts) != "[0 1 2 3 4]" {
			t.Errorf("chat %s handled %v, want in order", c, texts)
		}
	}
	if overlap != 0 {
		t.Errorf("%d overlapping handles within one chat", overlap)
	}
	if parallel == 0 {
		t.Error("chats never ran in parallel")
	}
}

func TestOrderedConcurrentCallers(t *testing.T) {
	var mu sync.Mutex
	inChat := 0
	maxIn := 0
	h := Ordered(HandlerFunc(func(context.Context, Message) error {
		mu.Lock()
		inChat++
		maxIn = max(maxIn, inChat)
		mu.Unlock()
		time.Sleep(time.Millisecond)
		mu.Lock()
		inChat--
		mu.Unlock()
		return nil
	}))
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() { h.Handle(context.Background(), Message{ChatID: "t:1"}) })
	}
	wg.Wait()
	if maxIn != 1 {
		t.Fatalf("%d handles ran at once in one chat", maxIn)
	}
}
