package flows_test

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/flows"
	"github.com/coachbot/coachbot/storage"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time)     { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// world is one engine on a fresh database with a test clock.
type world struct {
	t     testing.TB
	db    *storage.DB
	e     *flows.Engine
	clock *clock
	seq   int
}

// start is a Sunday morning in Zurich: 2026-11-22 09:30 local.
var start = time.Date(2026, 11, 22, 8, 30, 0, 0, time.UTC)

func newWorld(t testing.TB, opts ...func(*flows.Config)) *world {
	t.Helper()
	clk := &clock{t: start}
	db, err := storage.Open(context.Background(), filepath.Join(t.TempDir(), "test.db"), storage.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cat, err := flows.LoadCatalog("en", "")
	if err != nil {
		t.Fatal(err)
	}
	// The test clock stands still while a test types, so the flood limit
	// would read every conversation as a flood: it is off unless a test
	// turns it on.
	cfg := flows.Config{Catalog: cat, Now: clk.Now, HelpLine: "Call 144 in an emergency.", CoachCode: "let-me-coach",
		FloodMessages: -1}
	for _, o := range opts {
		o(&cfg)
	}
	return &world{t: t, db: db, e: flows.New(db, cfg), clock: clk}
}

// chat is one person talking to the engine on the console platform.
type chat struct {
	w    *world
	id   string
	name string
	last bot.Reply // the latest reply that had buttons, or the latest reply
}

func (w *world) chat(name string) *chat {
	return &chat{w: w, id: bot.ID(bot.Console, name), name: name}
}

// send writes text and returns the replies it caused.
func (c *chat) send(text string) []bot.Reply {
	c.w.t.Helper()
	return c.handle(bot.Message{Text: text})
}

// press presses the button with this label on the latest message.
func (c *chat) press(label string) []bot.Reply {
	c.w.t.Helper()
	for _, b := range c.last.Buttons {
		if b.Label == label {
			return c.handle(bot.Message{Press: b.Data})
		}
	}
	c.w.t.Fatalf("no button %q in %q (buttons %v)", label, c.last.Text, c.last.Buttons)
	return nil
}

func (c *chat) handle(m bot.Message) []bot.Reply {
	c.w.t.Helper()
	c.w.seq++
	m.ChatID, m.UserID, m.Name, m.At = c.id, c.id, c.name, c.w.clock.Now()
	if err := c.w.e.Handle(context.Background(), m); err != nil {
		c.w.t.Fatalf("handle %+v: %v", m, err)
	}
	return c.drain()
}

// drain takes this chat's replies out of the outbox, as a dispatcher would.
func (c *chat) drain() []bot.Reply {
	c.w.t.Helper()
	return c.w.drain(c.id, c)
}

// drain returns the pending replies of one chat (all chats when chatID is "")
// and marks them sent.
func (w *world) drain(chatID string, c *chat) []bot.Reply {
	w.t.Helper()
	ctx := context.Background()
	var out []bot.Reply
	for _, platform := range []string{bot.Console, bot.Telegram, bot.Discord} {
		rows, err := w.db.Pending(ctx, platform, 10000)
		if err != nil {
			w.t.Fatal(err)
		}
		for _, r := range rows {
			if chatID != "" && r.Reply.ChatID != chatID {
				continue
			}
			if err := w.db.MarkSent(ctx, r.ID, w.clock.Now()); err != nil {
				w.t.Fatal(err)
			}
			checkCatalogKeys(w.t, r.Reply.Text)
			out = append(out, r.Reply)
			if c != nil {
				c.last = r.Reply
			}
		}
	}
	return out
}

var missingKey = regexp.MustCompile(`\[[a-z_]+\.[a-z_0-9.]+\]|\{[a-z_]+\}`)

// checkCatalogKeys fails when a reply shows a missing catalog key or an unfilled
// placeholder.
func checkCatalogKeys(t testing.TB, text string) {
	t.Helper()
	if m := missingKey.FindString(text); m != "" {
		t.Errorf("reply shows %s: %q", m, text)
	}
}

// text joins replies for matching.
func text(rs []bot.Reply) string {
	var parts []string
	for _, r := range rs {
		parts = append(parts, r.Text)
	}
	return strings.Join(parts, "\n---\n")
}

// expect fails unless the replies contain every want, in order.
func expect(t testing.TB, rs []bot.Reply, wants ...string) {
	t.Helper()
	got := text(rs)
	rest := got
	for _, w := range wants {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Fatalf("replies do not contain %q (in order); got:\n%s", w, got)
		}
		rest = rest[i+len(w):]
	}
}

// onboard takes a chat through /start with ordinary answers.
func (c *chat) onboard() {
	c.w.t.Helper()
	c.send("/start")
	c.press("Yes, let's begin")
	c.send("Europe/Zurich")
	c.send("09:00")
	expect(c.w.t, c.send("Sat Sun"), "you're set up")
}

// conversation returns the chat's saved conversation, or ok=false.
func (c *chat) conversation() (flows.Conversation, bool) {
	c.w.t.Helper()
	var conv flows.Conversation
	var found bool
	err := c.w.db.View(context.Background(), func(tx flows.Tx) error {
		v, err := tx.Conversation(c.id)
		if err == nil {
			conv, found = v, true
			return nil
		}
		if err == flows.ErrNotFound || strings.Contains(err.Error(), "not found") {
			return nil
		}
		return err
	})
	if err != nil {
		c.w.t.Fatal(err)
	}
	return conv, found
}

// export returns everything stored about the chat's person.
func (c *chat) export() (flows.Export, bool) {
	c.w.t.Helper()
	var x flows.Export
	err := c.w.db.View(context.Background(), func(tx flows.Tx) error {
		var err error
		x, err = flows.ExportClient(tx, c.id, c.w.clock.Now())
		return err
	})
	if err != nil {
		return flows.Export{}, false
	}
	return x, true
}
