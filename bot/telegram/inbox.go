package telegram

import (
	"context"
	"slices"
	"sync"

	"github.com/coachbot/coachbot/bot"
)

// Inbox keeps polled updates durable from the moment they arrive until they
// are handled. The poller stores each response before it asks for the next,
// which confirms the response to Telegram, so receiving can go on while
// earlier updates are handled, and a restart neither skips nor repeats
// updates.
type Inbox interface {
	// Offset returns the offset stored for name, or 0 when none is stored.
	Offset(ctx context.Context, name string) (int64, error)
	// Receive stores a batch of updates (Telegram's JSON array) for name with
	// the offset after it, in one commit, and returns the batch's ID.
	Receive(ctx context.Context, name string, offset int64, updates []byte) (int64, error)
	// Handled removes batches whose every update was handled.
	Handled(ctx context.Context, ids []int64) error
	// Unhandled returns the batches stored for name and not yet handled,
	// oldest first.
	Unhandled(ctx context.Context, name string) ([]bot.Batch, error)
}

// memInbox is an Inbox in memory: it survives nothing, and serves when no
// Inbox is given.
type memInbox struct {
	mu      sync.Mutex
	offsets map[string]int64
	batches map[string][]bot.Batch
	lastID  int64
}

func newMemInbox() *memInbox {
	return &memInbox{offsets: make(map[string]int64), batches: make(map[string][]bot.Batch)}
}

func (m *memInbox) Offset(_ context.Context, name string) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.offsets[name], nil
}

func (m *memInbox) Receive(_ context.Context, name string, offset int64, updates []byte) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lastID++
	m.offsets[name] = offset
	m.batches[name] = append(m.batches[name], bot.Batch{ID: m.lastID, Data: slices.Clone(updates)})
	return m.lastID, nil
}

func (m *memInbox) Handled(_ context.Context, ids []int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for name, bs := range m.batches {
		m.batches[name] = slices.DeleteFunc(bs, func(b bot.Batch) bool { return slices.Contains(ids, b.ID) })
	}
	return nil
}

func (m *memInbox) Unhandled(_ context.Context, name string) ([]bot.Batch, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.batches[name]), nil
}
