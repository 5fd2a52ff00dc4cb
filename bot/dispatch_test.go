package bot

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// memOutbox is an in-memory Outbox for dispatcher tests.
type memOutbox struct {
	markDelay   time.Duration // makes MarkSent slow, as a busy database is
	mu          sync.Mutex
	reads       int
	rows        []Outgoing
	sent        map[int64]bool
	failed      map[int64]string
	unreachable map[string]bool
	sending     map[int64]bool
	sentTwice   int
}

func newMemOutbox() *memOutbox {
	return &memOutbox{sent: map[int64]bool{}, failed: map[int64]string{}, unreachable: map[string]bool{}, sending: map[int64]bool{}}
}

func (o *memOutbox) add(chat, text string) Outgoing {
	return o.addKind(chat, "", text)
}

// addKind adds a row of a kind: "" answers somebody, anything else is proactive.
func (o *memOutbox) addKind(chat, kind, text string) Outgoing {
	o.mu.Lock()
	defer o.mu.Unlock()
	row := Outgoing{ID: int64(len(o.rows) + 1), Reply: Reply{ChatID: chat, Kind: kind, Text: text}}
	o.rows = append(o.rows, row)
	return row
}

func (o *memOutbox) PendingAfter(_ context.Context, platform string, after int64, limit int, skip func(int64) bool) ([]Outgoing, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.reads++
	var out []Outgoing
	for _, r := range o.rows {
		if r.ID <= after || o.sent[r.ID] || o.sending[r.ID] || o.failed[r.ID] != "" || !strings.HasPrefix(r.Reply.ChatID, platform+":") {
			continue
		}
		if skip != nil && skip(r.ID) {
			r = Outgoing{ID: r.ID}
		}
		out = append(out, r)
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

func (o *memOutbox) MarkSentAll(_ context.Context, ids []int64, _ time.Time) error {
	time.Sleep(o.markDelay)
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, id := range ids {
		if o.sent[id] {
			o.sentTwice++
		}
		o.sent[id] = true
		delete(o.sending, id)
	}
	return nil
}

func (o *memOutbox) MarkSending(_ context.Context, id int64) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sending[id] = true
	return nil
}

func (o *memOutbox) MarkPending(_ context.Context, id int64) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.sending, id)
	return nil
}

func (o *memOutbox) MarkFailed(_ context.Context, id int64, reason string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.failed[id] = reason
	return nil
}

func (o *memOutbox) MarkUnreachable(_ context.Context, id int64, chat string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.failed[id] = "unreachable"
	o.unreachable[chat] = true
	return nil
}

func (o *memOutbox) done() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.sent)+len(o.failed) == len(o.rows)
}

// recorder is a Sender that records deliveries and fails on demand.
type recorder struct {
	mu   sync.Mutex
	got  map[string][]string
	fail func(r Reply, attempt int) error
	seen map[string]int
}

func (s *recorder) Send(_ context.Context, r Reply) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.got == nil {
		s.got, s.seen = map[string][]string{}, map[string]int{}
	}
	key := r.ChatID + "/" + r.Text
	s.seen[key]++
	if s.fail != nil {
		if err := s.fail(r, s.seen[key]); err != nil {
			return err
		}
	}
	s.got[r.ChatID] = append(s.got[r.ChatID], r.Text)
	return nil
}

func waitDone(t *testing.T, o *memOutbox) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !o.done() {
		if time.Now().After(deadline) {
			t.Fatal("outbox not drained in time")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestDispatcherOrderAndFaults(t *testing.T) {
	o := newMemOutbox()
	const chats, per = 20, 5
	for i := range per {
		for c := range chats {
			o.add(fmt.Sprintf("telegram:%d", c), fmt.Sprintf("m%d", i))
		}
	}
	o.add("telegram:blocked", "hello")
	o.add("telegram:bad", "oops")
	s := &recorder{fail: func(r Reply, attempt int) error {
		switch {
		case r.ChatID == "telegram:blocked":
			return fmt.Errorf("send: %w", ErrUnreachable)
		case r.ChatID == "telegram:bad":
			return &PermanentError{Err: errors.New("400 bad request")}
		case r.Text == "m1" && attempt == 1:
			return &RetryAfterError{After: 20 * time.Millisecond}
		case r.Text == "m2" && attempt <= 2:
			return errors.New("502 bad gateway")
		}
		return nil
	}}
	d := NewDispatcher(o, nil)
	d.Register(Telegram, s, Limits{Backoff: 10 * time.Millisecond})
	d.Start(context.Background())
	defer d.Close()
	d.Kick()
	waitDone(t, o)

	for c := range chats {
		chat := fmt.Sprintf("telegram:%d", c)
		got := fmt.Sprint(s.got[chat])
		if want := "[m0 m1 m2 m3 m4]"; got != want {
			t.Errorf("chat %s got %s, want %s (in order, once each)", chat, got, want)
		}
	}
	if !o.unreachable["telegram:blocked"] {
		t.Error("blocked chat not marked unreachable")
	}
	if o.failed[int64(chats*per+2)] == "" {
		t.Error("permanent failure not given up")
	}
	if o.sentTwice != 0 {
		t.Errorf("%d rows marked sent twice", o.sentTwice)
	}
}

func TestDispatcherPace(t *testing.T) {
	o := newMemOutbox()
	for c := range 10 {
		o.add(fmt.Sprintf("telegram:%d", c), "a")
		o.add(fmt.Sprintf("telegram:%d", c), "b")
	}
	var mu sync.Mutex
	var at []time.Time
	byChat := map[string][]time.Time{}
	s := &recorder{fail: func(r Reply, _ int) error {
		mu.Lock()
		defer mu.Unlock()
		now := time.Now()
		at = append(at, now)
		byChat[r.ChatID] = append(byChat[r.ChatID], now)
		return nil
	}}
	d := NewDispatcher(o, nil)
	d.Register(Telegram, s, Limits{PerSecond: 40, Burst: 1, ChatPerSecond: 5})
	d.Start(context.Background())
	defer d.Close()
	waitDone(t, o)

	sort.Slice(at, func(i, j int) bool { return at[i].Before(at[j]) })
	// 20 sends at 40/s overall need at least 19 intervals of 25 ms.
	if span := at[len(at)-1].Sub(at[0]); span < 19*25*time.Millisecond*9/10 {
		t.Errorf("20 sends took %v, faster than 40/s", span)
	}
	for chat, ts := range byChat {
		if gap := ts[1].Sub(ts[0]); gap < 200*time.Millisecond*9/10 {
			t.Errorf("chat %s: second message after %v, faster than 5/s per chat", chat, gap)
		}
	}
}

func TestFlushOnDemand(t *testing.T) {
	o := newMemOutbox()
	o.add("console:ana", "one")
	o.add("console:ana", "two")
	s := &recorder{}
	d := NewDispatcher(o, nil)
	d.Register(Console, s, Limits{OnDemand: true})
	d.Start(context.Background())
	defer d.Close()
	if err := d.Flush(context.Background(), Console); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(s.got["console:ana"]); got != "[one two]" {
		t.Fatalf("flushed %s", got)
	}
}

// A sweep works from a list read earlier; a row whose send finished since
// (but is not yet marked sent) must not go out again.
func TestDispatcherNeverSendsTwice(t *testing.T) {
	o := newMemOutbox()
	o.markDelay = 3 * time.Millisecond
	for i := range 10 {
		for c := range 10 {
			o.add(fmt.Sprintf("telegram:%d", c), fmt.Sprintf("m%d", i))
		}
	}
	s := &recorder{}
	d := NewDispatcher(o, nil)
	d.Register(Telegram, s, Limits{})
	d.Start(context.Background())
	defer d.Close()
	for range 50 {
		d.Kick()
		time.Sleep(time.Millisecond)
	}
	waitDone(t, o)
	for key, n := range s.seen {
		if n != 1 {
			t.Errorf("%s sent %d times", key, n)
		}
	}
}

// Rows offered after their commit leave without the outbox being read again;
// a row another process wrote, which nobody offers, still leaves once the
// outbox is read, even with a lower ID than rows already offered; and a row
// both offered and read goes out once.
func TestDispatcherOffer(t *testing.T) {
	o := newMemOutbox()
	s := &recorder{}
	d := NewDispatcher(o, nil)
	d.readEvery = time.Hour // only the first read, and those Kick asks for
	d.Register(Telegram, s, Limits{})
	d.Start(context.Background())
	defer d.Close()
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(time.Millisecond)
		}
	}
	readsNow := func() int {
		o.mu.Lock()
		defer o.mu.Unlock()
		return o.reads
	}
	waitFor("the first read", func() bool { return readsNow() > 0 })
	before := readsNow()

	var rows []Outgoing
	for i := range 20 {
		rows = append(rows, o.add(fmt.Sprintf("telegram:%d", i%4), fmt.Sprintf("m%d", i)))
	}
	d.Offer(rows)
	waitDone(t, o)
	if reads := readsNow() - before; reads > 0 {
		t.Errorf("the outbox was read %d times to send offered rows", reads)
	}

	foreign := o.add("telegram:9", "from another process")
	offered := o.add("telegram:8", "offered")
	d.Offer([]Outgoing{offered})
	d.Kick()
	waitDone(t, o)
	d.Offer([]Outgoing{offered, foreign}) // late: already sent
	d.Kick()
	time.Sleep(20 * time.Millisecond)
	for key, n := range s.seen {
		if n != 1 {
			t.Errorf("%s sent %d times", key, n)
		}
	}
	if got := fmt.Sprint(s.got["telegram:9"]); got != "[from another process]" {
		t.Errorf("the row nobody offered: sent %s", got)
	}
	for c := range 4 {
		chat := fmt.Sprintf("telegram:%d", c)
		want := fmt.Sprintf("[m%d m%d m%d m%d m%d]", c, c+4, c+8, c+12, c+16)
		if got := fmt.Sprint(s.got[chat]); got != want {
			t.Errorf("%s got %s, want %s", chat, got, want)
		}
	}
}
