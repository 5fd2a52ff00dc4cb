package bot

import (
	"context"
	"sync"
)

// Ordered returns a Handler that handles the messages of one chat one at a time, in
// the order they arrive, while different chats run in parallel. Adapters whose
// callers wait for the handling (a webhook request) wrap their handler with it;
// it queues each call on Chats and waits for its turn to finish.
func Ordered(h Handler) Handler {
	var chats Chats
	return HandlerFunc(func(ctx context.Context, m Message) error {
		done := make(chan error, 1)
		chats.Go(m.ChatID, func() {
			if err := ctx.Err(); err != nil {
				done <- err // the caller gave up while waiting its turn
				return
			}
			done <- h.Handle(ctx, m)
		})
		return <-done
	})
}

// Chats runs work for many chats in the background: each chat's work one piece
// at a time, in the order it was added, different chats in parallel. It is the
// one place that keeps a chat's order: a poller adds each update as it arrives
// (a chat's update waits for the one before it even when the two came in
// different responses), a gateway adds events as they are read, and Ordered
// waits on it for callers that need the result. The zero value is ready.
type Chats struct {
	mu     sync.Mutex
	queues map[string][]func() // per chat; the head is running
	wg     sync.WaitGroup
}

// Go queues fn as the chat's next piece of work.
func (c *Chats) Go(chat string, fn func()) {
	c.mu.Lock()
	if c.queues == nil {
		c.queues = make(map[string][]func())
	}
	q := c.queues[chat]
	c.queues[chat] = append(q, fn)
	c.mu.Unlock()
	if len(q) == 0 {
		c.wg.Go(func() { c.drain(chat) })
	}
}

// drain runs a chat's queue until it is empty.
func (c *Chats) drain(chat string) {
	c.mu.Lock()
	fn := c.queues[chat][0]
	c.mu.Unlock()
	for {
		fn()
		c.mu.Lock()
		q := c.queues[chat]
		q[0] = nil // let the finished piece go
		q = q[1:]
		if len(q) == 0 {
			delete(c.queues, chat)
			c.mu.Unlock()
			return
		}
		c.queues[chat] = q
		fn = q[0]
		c.mu.Unlock()
	}
}

// Wait returns once all work added so far is done. Call it after the last Go.
func (c *Chats) Wait() { c.wg.Wait() }
