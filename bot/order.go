package bot

import (
	"context"
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

// Chats runs work for many chats in the background: each chat's work one piece
// at a time, in the order it was added, different chats in parallel. A poller
// adds each update as it arrives, so a chat's update waits for the one before
// it even when the two came in different responses. The zero value is ready.
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
		q := c.queues[chat][1:]
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
