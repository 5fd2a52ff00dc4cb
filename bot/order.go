package bot

import (
	"context"
	"errors"
	"sync"
)

// Ordered returns a Handler that handles the messages of one chat one at a time, in
// the order they arrive, while different chats run in parallel. Adapters that may
// receive several updates at once (webhooks, gateways) wrap their handler with it.
func Ordered(h Handler) Handler {
	o := &ordered{next: h, chats: make(map[string]*chatLock)}
	return o
}

type ordered struct {
	next  Handler
	mu    sync.Mutex
	chats map[string]*chatLock
}

// chatLock is a FIFO lock: a buffered channel of one admits holders in the order
// they queued, and refs lets the map entry go when nobody waits.
type chatLock struct {
	turn chan struct{}
	refs int
}

func (o *ordered) Handle(ctx context.Context, m Message) error {
	o.mu.Lock()
	l := o.chats[m.ChatID]
	if l == nil {
		l = &chatLock{turn: make(chan struct{}, 1)}
		o.chats[m.ChatID] = l
	}
	l.refs++
	o.mu.Unlock()
	defer func() {
		o.mu.Lock()
		l.refs--
		if l.refs == 0 {
			delete(o.chats, m.ChatID)
		}
		o.mu.Unlock()
	}()

	select {
	case l.turn <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-l.turn }()
	return o.next.Handle(ctx, m)
}

// HandleBatch handles a batch of messages, such as one long-poll response: each
// chat's messages in order, chats in parallel. It returns when all are handled, with
// the errors of those that failed joined together.
func HandleBatch(ctx context.Context, h Handler, msgs []Message) error {
	var order []string
	byChat := make(map[string][]Message)
	for _, m := range msgs {
		if _, ok := byChat[m.ChatID]; !ok {
			order = append(order, m.ChatID)
		}
		byChat[m.ChatID] = append(byChat[m.ChatID], m)
	}
	errs := make([]error, len(order))
	var wg sync.WaitGroup
	for i, chat := range order {
		wg.Go(func() {
			for _, m := range byChat[chat] {
				if err := h.Handle(ctx, m); err != nil {
					errs[i] = errors.Join(errs[i], err)
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}
