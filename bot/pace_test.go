package bot

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// paceClock is the dispatcher's clock in pace tests: it moves only when the
// test says, so what the buckets allow is exact.
type paceClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *paceClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *paceClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// journal records what was sent, in order, as "chat/text".
type journal struct {
	mu   sync.Mutex
	sent []string
}

func (j *journal) Send(_ context.Context, r Reply) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.sent = append(j.sent, r.ChatID+"/"+r.Text)
	return nil
}

func (j *journal) note(s string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.sent = append(j.sent, s)
}

func (j *journal) list() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.sent)
}

// paceRig is a dispatcher on a test clock with one platform.
type paceRig struct {
	t   *testing.T
	o   *memOutbox
	d   *Dispatcher
	clk *paceClock
	j   *journal
}

func newPaceRig(t *testing.T, l Limits) *paceRig {
	t.Helper()
	r := &paceRig{t: t, o: newMemOutbox(), clk: &paceClock{now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}, j: &journal{}}
	r.d = NewDispatcher(r.o, nil)
	r.d.now = r.clk.Now
	r.d.readEvery = time.Hour // rows come by Offer
	r.d.Register(Telegram, r.j, l)
	r.d.Start(context.Background())
	t.Cleanup(func() { r.d.Close() })
	return r
}

func (r *paceRig) offer(chat, kind, text string) {
	r.d.Offer([]Outgoing{r.o.addKind(chat, kind, text)})
}

// advance moves the clock and wakes the dispatcher.
func (r *paceRig) advance(d time.Duration) {
	r.clk.Add(d)
	r.d.lanes[Telegram].poke()
}

// waitSent waits until n sends were made, and then a little longer to catch
// any send beyond n, which fails the test.
func (r *paceRig) waitSent(n int) []string {
	r.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(r.j.list()) < n {
		if time.Now().After(deadline) {
			r.t.Fatalf("sent %q, want %d sends", r.j.list(), n)
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(30 * time.Millisecond)
	got := r.j.list()
	if len(got) != n {
		r.t.Fatalf("sent %q, want exactly %d sends by now", got, n)
	}
	return got
}

// A chat's bucket lets a short burst leave at once, then one per refill.
func TestChatBurst(t *testing.T) {
	r := newPaceRig(t, Limits{ChatPerSecond: 1, ChatBurst: 3})
	for i := range 5 {
		r.offer("telegram:1", "", fmt.Sprint(i))
	}
	r.waitSent(3)
	r.advance(999 * time.Millisecond)
	r.waitSent(3)
	r.advance(time.Millisecond)
	r.waitSent(4)
	r.advance(time.Second)
	got := r.waitSent(5)
	if want := []string{"telegram:1/0", "telegram:1/1", "telegram:1/2", "telegram:1/3", "telegram:1/4"}; !slices.Equal(got, want) {
		t.Fatalf("sent %q, want %q", got, want)
	}
}

// Within the overall budget an answer goes before proactive messages queued
// earlier, and proactive messages take turns by chat, in the order their
// chats were queued.
func TestAnswersBeforeBroadcasts(t *testing.T) {
	r := newPaceRig(t, Limits{PerSecond: 1, Burst: 1})
	for round := range 2 {
		for c := range 3 {
			r.offer(fmt.Sprintf("telegram:%d", c), "checkin", fmt.Sprintf("invite%d", round))
		}
	}
	r.waitSent(1) // the bucket's one token
	r.offer("telegram:9", "", "answer")
	r.offer("telegram:8", "", "answer")
	for n := 2; n <= 8; n++ {
		r.advance(time.Second)
		r.waitSent(n)
	}
	want := []string{
		"telegram:0/invite0",
		"telegram:9/answer", "telegram:8/answer",
		"telegram:1/invite0", "telegram:2/invite0",
		"telegram:0/invite1", "telegram:1/invite1", "telegram:2/invite1",
	}
	if got := r.j.list(); !slices.Equal(got, want) {
		t.Fatalf("sent\n%q\nwant\n%q", got, want)
	}
}

// A chat whose proactive message is queued ahead of an answer moves up with
// the answer: its order stays, and the answer does not wait for the wave.
func TestAnswerLiftsItsChat(t *testing.T) {
	r := newPaceRig(t, Limits{PerSecond: 1, Burst: 1})
	for c := range 4 {
		r.offer(fmt.Sprintf("telegram:%d", c), "checkin", "invite")
	}
	r.waitSent(1)
	r.offer("telegram:3", "", "answer")
	for n := 2; n <= 5; n++ {
		r.advance(time.Second)
		r.waitSent(n)
	}
	want := []string{"telegram:0/invite", "telegram:3/invite", "telegram:3/answer", "telegram:1/invite", "telegram:2/invite"}
	if got := r.j.list(); !slices.Equal(got, want) {
		t.Fatalf("sent\n%q\nwant\n%q", got, want)
	}
}

// A send queued with Later (the keyboard edit after a press) goes only when
// the chat keeps a token for the next answer, and never holds an answer up.
func TestLaterNeverDelaysAnswers(t *testing.T) {
	r := newPaceRig(t, Limits{ChatPerSecond: 1, ChatBurst: 3})
	r.offer("telegram:1", "", "q1")
	r.offer("telegram:1", "", "q2")
	r.waitSent(2) // one token left
	r.d.Later("telegram:1", func(context.Context) error { r.j.note("telegram:1/edit"); return nil })
	r.waitSent(2) // the edit would take the last token
	r.offer("telegram:1", "", "q3")
	r.waitSent(3) // the answer takes it at once
	r.advance(time.Second)
	r.waitSent(3) // one token: still kept for the next answer
	r.advance(time.Second)
	got := r.waitSent(4)
	if want := []string{"telegram:1/q1", "telegram:1/q2", "telegram:1/q3", "telegram:1/edit"}; !slices.Equal(got, want) {
		t.Fatalf("sent %q, want %q", got, want)
	}
}

// Drain delivers what is queued and reports what is left when its time is up.
func TestDrain(t *testing.T) {
	r := newPaceRig(t, Limits{PerSecond: 1, Burst: 2})
	for c := range 4 {
		r.offer(fmt.Sprintf("telegram:%d", c), "", "bye")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if left := r.d.Drain(ctx); left != 2 {
		t.Fatalf("Drain left %d rows, want 2 (the bucket holds 2 tokens)", left)
	}
	r.advance(2 * time.Second)
	if left := r.d.Drain(context.Background()); left != 0 {
		t.Fatalf("Drain left %d rows, want none", left)
	}
	waitDone(t, r.o)
}

// A proactive row is marked sending before it goes, and pending again when
// its send failed and waits for a retry, so a crash neither repeats nor
// loses it; an answer is never marked sending.
func TestProactiveMarkedSending(t *testing.T) {
	o := newMemOutbox()
	var mu sync.Mutex
	var seen []string
	answer := o.add("telegram:1", "answer")
	invite := o.addKind("telegram:2", "checkin", "invite")
	s := &recorder{fail: func(r Reply, attempt int) error {
		o.mu.Lock()
		marked := map[string]bool{"answer": o.sending[answer.ID], "invite": o.sending[invite.ID]}[r.Text]
		o.mu.Unlock()
		mu.Lock()
		seen = append(seen, fmt.Sprintf("%s#%d sending=%v", r.Text, attempt, marked))
		mu.Unlock()
		if r.Text == "invite" && attempt == 1 {
			return fmt.Errorf("502 bad gateway")
		}
		return nil
	}}
	d := NewDispatcher(o, nil)
	d.Register(Telegram, s, Limits{Backoff: time.Millisecond})
	d.Start(context.Background())
	defer d.Close()
	waitDone(t, o)
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(seen)
	if want := []string{"answer#1 sending=false", "invite#1 sending=true", "invite#2 sending=true"}; !slices.Equal(seen, want) {
		t.Fatalf("sends %q, want %q", seen, want)
	}
	if len(o.sending) != 0 || o.sentTwice != 0 {
		t.Fatalf("%d rows left sending, %d sent twice", len(o.sending), o.sentTwice)
	}
}
