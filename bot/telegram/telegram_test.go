package telegram

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/bot/telegram/telegramtest"
)

const waitTimeout = 10 * time.Second

// newAdapter connects an adapter to the fake with test-friendly timings.
func newAdapter(tb testing.TB, s *telegramtest.Server, inbox Inbox, edit func(*Config)) *Adapter {
	tb.Helper()
	cfg := Config{Token: s.Token(), APIURL: s.URL(), PollTimeout: time.Second}
	if edit != nil {
		edit(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	a, err := New(ctx, cfg, inbox)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	a.minBackoff, a.maxBackoff = 10*time.Millisecond, 100*time.Millisecond
	return a
}

// running is an adapter's Run in the background.
type running struct {
	cancel   context.CancelFunc
	finished chan struct{}
	err      error // Run's result, set before finished closes
	checked  sync.Once
}

func start(tb testing.TB, a *Adapter, h bot.Handler) *running {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{cancel: cancel, finished: make(chan struct{})}
	go func() {
		defer close(r.finished)
		r.err = a.Run(ctx, h)
	}()
	tb.Cleanup(func() { r.stop(tb) })
	return r
}

// stop cancels Run and checks that it returns nil in good time.
func (r *running) stop(tb testing.TB) {
	tb.Helper()
	r.cancel()
	select {
	case <-r.finished:
	case <-time.After(waitTimeout):
		tb.Fatal("Run did not return after cancel")
	}
	r.checked.Do(func() {
		if r.err != nil {
			tb.Errorf("Run: got %v, want nil after cancel", r.err)
		}
	})
}

// recorder remembers the messages a handler saw.
type recorder struct {
	mu   sync.Mutex
	msgs []bot.Message
}

func (r *recorder) add(m bot.Message) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, m)
}

func (r *recorder) all() []bot.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bot.Message(nil), r.msgs...)
}

func (r *recorder) wait(tb testing.TB, n int) []bot.Message {
	tb.Helper()
	waitFor(tb, fmt.Sprintf("%d handled messages", n), func() bool { return len(r.all()) >= n })
	return r.all()
}

func texts(msgs []bot.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Text+m.Press)
	}
	return out
}

// echo answers every private message with its text (or the pressed button's
// data) and two buttons, the way the engine would through the dispatcher.
func echo(a *Adapter, rec *recorder) bot.Handler {
	return bot.HandlerFunc(func(ctx context.Context, m bot.Message) error {
		rec.add(m)
		if m.Group {
			return nil
		}
		text := "echo: " + m.Text
		if m.Press != "" {
			text = "pressed: " + m.Press
		}
		return a.Send(ctx, bot.Reply{ChatID: m.ChatID, Text: text, Buttons: []bot.Button{{Label: "Yes", Data: "yes"}, {Label: "No", Data: "no"}}})
	})
}

func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func waitMessages(tb testing.TB, s *telegramtest.Server, chat int64, n int) []telegramtest.Sent {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	msgs, err := s.WaitMessages(ctx, chat, n)
	if err != nil {
		tb.Fatal(err)
	}
	return msgs
}

// waitHandled waits until a's stored batches are all handled and removed.
func waitHandled(tb testing.TB, store Inbox, a *Adapter) {
	tb.Helper()
	waitFor(tb, "the stored batches handled", func() bool {
		left, _ := store.Unhandled(context.Background(), a.offsetName())
		return len(left) == 0
	})
}

func TestPollingRoundTrip(t *testing.T) {
	s := telegramtest.NewServer(t, telegramtest.WithUsername("MyBot"))
	a := newAdapter(t, s, nil, nil)
	rec := &recorder{}
	start(t, a, echo(a, rec))

	s.SendText(42, "hello")
	msgs := waitMessages(t, s, 42, 1)
	if got, want := msgs[0].Text, "echo: hello"; got != want {
		t.Errorf("reply: got %q, want %q", got, want)
	}
	if got, want := msgs[0].Labels(), []string{"Yes", "No"}; !reflect.DeepEqual(got, want) || len(msgs[0].Buttons) != 1 {
		t.Errorf("buttons: got %v in %d rows, want %v in one row", got, len(msgs[0].Buttons), want)
	}

	s.SendText(42, "/start@MyBot abc")
	msgs = waitMessages(t, s, 42, 2)
	if got, want := msgs[1].Text, "echo: /start abc"; got != want {
		t.Errorf("command: got %q, want %q", got, want)
	}

	s.Press(42, msgs[0].MessageID, "yes")
	msgs = waitMessages(t, s, 42, 3)
	if got, want := msgs[2].Text, "pressed: yes"; got != want {
		t.Errorf("press reply: got %q, want %q", got, want)
	}
	// The edit follows the handling, so that the next question goes first.
	waitFor(t, "the pressed message edited", func() bool { return s.Messages(42)[0].Buttons == nil })
	msgs = s.Messages(42)
	if got, want := msgs[0].Text, "echo: hello\n\n› Yes"; got != want || msgs[0].Buttons != nil {
		t.Errorf("pressed message: got %q with %v, want %q without buttons", got, msgs[0].Buttons, want)
	}
	if st := s.Stats(); st.CallbacksAnswered != 1 || st.CallbacksPending != 0 {
		t.Errorf("callbacks: got %d answered, %d pending, want 1 and 0", st.CallbacksAnswered, st.CallbacksPending)
	}
	if got, want := s.Calls("deleteWebhook"), 1; got != want {
		t.Errorf("deleteWebhook calls: got %d, want %d", got, want)
	}

	seen := rec.all()
	if got, want := texts(seen), []string{"hello", "/start abc", "yes"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("handled: got %q, want %q", got, want)
	}
	first, press := seen[0], seen[2]
	if first.ChatID != "telegram:42" || first.UserID != "telegram:42" || first.Name != "User 42" || first.Group {
		t.Errorf("message: got %+v, want private chat and user telegram:42 named User 42", first)
	}
	if !strings.HasPrefix(first.UpdateID, "telegram:") || first.UpdateID == seen[1].UpdateID {
		t.Errorf("update IDs: got %q and %q, want distinct telegram:<id>", first.UpdateID, seen[1].UpdateID)
	}
	if age := time.Since(first.At); first.At.IsZero() || age < -time.Minute || age > time.Minute {
		t.Errorf("At: got %v, want about now", first.At)
	}
	if first.Language != "en" || press.Language != "en" {
		t.Errorf("language: got %q and %q, want the app's language en", first.Language, press.Language)
	}
	if press.Press != "yes" || press.Text != "" || press.ChatID != "telegram:42" || press.UserID != "telegram:42" {
		t.Errorf("press: got %+v, want Press yes with empty text in telegram:42", press)
	}
}

func TestNormalizeCommand(t *testing.T) {
	a := &Adapter{sdk: &tgbotapi.BotAPI{Self: tgbotapi.User{UserName: "MyBot"}}}
	tests := []struct{ in, want string }{
		{"/start@MyBot abc", "/start abc"},
		{"/start@mybot", "/start"},
		{"/checkin@MyBot\nsecond line", "/checkin\nsecond line"},
		{"/start@OtherBot abc", "/start@OtherBot abc"},
		{"/help", "/help"},
		{"hello @MyBot", "hello @MyBot"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := a.normalizeCommand(tt.in); got != tt.want {
			t.Errorf("normalizeCommand(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestGroupMessageFlagged(t *testing.T) {
	s := telegramtest.NewServer(t)
	a := newAdapter(t, s, nil, nil)
	rec := &recorder{}
	start(t, a, echo(a, rec))

	s.SendGroupText(-100, "hello all")
	m := rec.wait(t, 1)[0]
	if !m.Group || m.ChatID != "telegram:-100" || m.UserID != "telegram:100" || m.Text != "hello all" {
		t.Errorf("got %+v, want a group message in telegram:-100 from telegram:100", m)
	}
}

func TestOffsetSurvivesRestart(t *testing.T) {
	s := telegramtest.NewServer(t)
	store := newMemInbox()

	a1 := newAdapter(t, s, store, nil)
	rec1 := &recorder{}
	r1 := start(t, a1, echo(a1, rec1))
	s.SendText(1, "one")
	s.SendText(1, "two")
	waitMessages(t, s, 1, 2)
	// The next poll confirms the batch, and it is made only after the batch
	// and the offset are stored; the batch leaves the inbox once handled.
	waitFor(t, "the batch confirmed", func() bool { return s.Stats().UpdatesPending == 0 })
	waitHandled(t, store, a1)
	r1.stop(t)

	saved, _ := store.Offset(context.Background(), a1.offsetName())
	if saved == 0 {
		t.Fatalf("offset for %q: got none saved", a1.offsetName())
	}
	s.SendText(1, "three") // arrives while the bot is down

	a2 := newAdapter(t, s, store, nil)
	rec2 := &recorder{}
	start(t, a2, echo(a2, rec2))
	waitMessages(t, s, 1, 3)
	s.SendText(1, "four")
	waitMessages(t, s, 1, 4)

	if got, want := texts(rec1.all()), []string{"one", "two"}; !reflect.DeepEqual(got, want) {
		t.Errorf("first run: got %q, want %q", got, want)
	}
	if got, want := texts(rec2.all()), []string{"three", "four"}; !reflect.DeepEqual(got, want) {
		t.Errorf("second run: got %q, want %q (nothing skipped, nothing repeated)", got, want)
	}
}

func TestUnfinishedBatchIsHandledAfterRestart(t *testing.T) {
	s := telegramtest.NewServer(t)
	store := newMemInbox()

	a1 := newAdapter(t, s, store, nil)
	var r1 *running
	crashed := make(chan struct{})
	r1 = start(t, a1, bot.HandlerFunc(func(ctx context.Context, m bot.Message) error {
		// The process goes down while handling: the update's answer was not stored.
		r1.cancel()
		close(crashed)
		return ctx.Err()
	}))
	s.SendText(1, "lost?")
	<-crashed
	r1.stop(t)

	a2 := newAdapter(t, s, store, nil)
	rec := &recorder{}
	start(t, a2, echo(a2, rec))
	if got, want := texts(rec.wait(t, 1)), []string{"lost?"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after restart: got %q, want %q", got, want)
	}
}

// The next poll goes out while a batch is still being handled: a slow chat
// holds up nobody else.
func TestPollingOverlapsHandling(t *testing.T) {
	s := telegramtest.NewServer(t)
	a := newAdapter(t, s, newMemInbox(), nil)
	fastDone := make(chan struct{})
	rec := &recorder{}
	start(t, a, bot.HandlerFunc(func(ctx context.Context, m bot.Message) error {
		rec.add(m)
		switch m.Text {
		case "slow":
			select { // waits for a message that only a later poll can fetch
			case <-fastDone:
			case <-time.After(waitTimeout):
				t.Error("the second poll waited for the first batch to be handled")
			}
		case "fast":
			close(fastDone)
		}
		return nil
	}))
	s.SendText(1, "slow")
	rec.wait(t, 1)
	s.SendText(2, "fast")
	if got := texts(rec.wait(t, 2)); !reflect.DeepEqual(got, []string{"slow", "fast"}) {
		t.Errorf("handled %q", got)
	}
}

// A chat's updates are handled one at a time in order, even when they arrive
// in different polls.
func TestPollingKeepsChatOrderAcrossPolls(t *testing.T) {
	s := telegramtest.NewServer(t)
	a := newAdapter(t, s, newMemInbox(), nil)
	var mu sync.Mutex
	busy, overlaps := false, 0
	rec := &recorder{}
	start(t, a, bot.HandlerFunc(func(ctx context.Context, m bot.Message) error {
		mu.Lock()
		if busy {
			overlaps++
		}
		busy = true
		mu.Unlock()
		rec.add(m)
		if m.Text == "first" {
			// Hold the chat until a later poll has fetched the next messages.
			waitFor(t, "a later poll", func() bool { return s.Stats().UpdatesServed >= 2 })
		}
		mu.Lock()
		busy = false
		mu.Unlock()
		return nil
	}))
	s.SendText(1, "first")
	rec.wait(t, 1)
	s.SendText(1, "second")
	s.SendText(1, "third")
	if got := texts(rec.wait(t, 3)); !reflect.DeepEqual(got, []string{"first", "second", "third"}) {
		t.Errorf("handled %q, want in order", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if overlaps != 0 {
		t.Errorf("%d updates of the chat handled while another was", overlaps)
	}
}

// A press stored but not handled before a crash is handled after restart
// without answering its callback query again: the spinner is long gone, and
// Telegram would refuse the answer.
func TestStoredPressHandledOnceAfterRestart(t *testing.T) {
	s := telegramtest.NewServer(t)
	store := newMemInbox()
	a0 := newAdapter(t, s, store, nil)
	rec0 := &recorder{}
	r0 := start(t, a0, echo(a0, rec0))
	s.SendText(1, "hi")
	msgs := waitMessages(t, s, 1, 1)
	waitHandled(t, store, a0)
	r0.stop(t)

	a1 := newAdapter(t, s, store, nil)
	var r1 *running
	crashed := make(chan struct{})
	r1 = start(t, a1, bot.HandlerFunc(func(ctx context.Context, m bot.Message) error {
		r1.cancel()
		close(crashed)
		return ctx.Err()
	}))
	s.Press(1, msgs[0].MessageID, "yes")
	<-crashed
	r1.stop(t)
	answered := s.Calls("answerCallbackQuery")
	if answered != 1 {
		t.Fatalf("the press was answered %d times before the crash, want 1", answered)
	}

	a2 := newAdapter(t, s, store, nil)
	rec := &recorder{}
	start(t, a2, echo(a2, rec))
	if got := texts(rec.wait(t, 1)); !reflect.DeepEqual(got, []string{"yes"}) {
		t.Errorf("after restart: handled %q, want the press", got)
	}
	if n := s.Calls("answerCallbackQuery") - answered; n != 0 {
		t.Errorf("the stored press was answered %d more times after restart", n)
	}
}

func TestPoisonUpdateDoesNotBlock(t *testing.T) {
	s := telegramtest.NewServer(t)
	a := newAdapter(t, s, newMemInbox(), nil)
	rec := &recorder{}
	start(t, a, bot.HandlerFunc(func(ctx context.Context, m bot.Message) error {
		rec.add(m)
		if m.Text == "poison" {
			return errors.New("cannot handle this")
		}
		return nil
	}))
	s.SendText(1, "poison")
	rec.wait(t, 1)
	s.SendText(1, "fine")
	rec.wait(t, 2)
	// Both are confirmed: the failed update is not fetched again.
	waitFor(t, "both updates confirmed", func() bool { return s.Stats().UpdatesPending == 0 })
	if got, want := texts(rec.all()), []string{"poison", "fine"}; !reflect.DeepEqual(got, want) {
		t.Errorf("handled: got %q, want %q", got, want)
	}
}

func TestPollingRecoversFromFailures(t *testing.T) {
	s := telegramtest.NewServer(t)
	s.FailNext("getUpdates", 1, http.StatusTooManyRequests, 1)
	s.FailNext("getUpdates", 2, http.StatusBadGateway, 0)
	s.DropNext("getUpdates", 1)
	s.SendText(1, "still there?")
	a := newAdapter(t, s, nil, nil)
	rec := &recorder{}
	began := time.Now()
	start(t, a, echo(a, rec))

	msgs := waitMessages(t, s, 1, 1)
	if got, want := msgs[0].Text, "echo: still there?"; got != want {
		t.Errorf("reply: got %q, want %q", got, want)
	}
	if waited := time.Since(began); waited < time.Second {
		t.Errorf("got through after %v, want at least the 1s retry_after honoured", waited)
	}
	if got := s.Calls("getUpdates"); got < 5 {
		t.Errorf("getUpdates calls: got %d, want at least 5", got)
	}
}

func TestRunStopsPromptlyDuringLongPoll(t *testing.T) {
	s := telegramtest.NewServer(t)
	a := newAdapter(t, s, nil, func(c *Config) { c.PollTimeout = 30 * time.Second })
	r := start(t, a, bot.HandlerFunc(func(context.Context, bot.Message) error { return nil }))
	waitFor(t, "the long poll", func() bool { return s.Calls("getUpdates") >= 1 })
	time.Sleep(100 * time.Millisecond) // let the poll reach the server and wait there

	began := time.Now()
	r.stop(t)
	// Waiting out the poll would take 30s; a cancelled poll returns at once.
	if took := time.Since(began); took > 5*time.Second {
		t.Errorf("Run returned %v after cancel, want well under the 30s poll", took)
	}
}

// Updates polled and stored, but not handled before a switch to webhooks, are
// handled when the webhook starts.
func TestWebhookHandlesStoredUpdates(t *testing.T) {
	s := telegramtest.NewServer(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	store := newMemInbox()
	a := newAdapter(t, s, store, func(c *Config) {
		c.Mode, c.Listen, c.PublicURL, c.Secret = ModeWebhook, ln.Addr().String(), "http://"+ln.Addr().String()+WebhookPath, "s3cret_token-1"
	})
	a.listener = ln
	batch := `[{"update_id":7,"message":{"message_id":1,"date":1700000000,"text":"stored",
		"chat":{"id":9,"type":"private"},"from":{"id":9,"is_bot":false,"first_name":"Ana"}}}]`
	if _, err := store.Receive(context.Background(), a.offsetName(), 8, []byte(batch)); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	start(t, a, echo(a, rec))
	if got := texts(rec.wait(t, 1)); !reflect.DeepEqual(got, []string{"stored"}) {
		t.Errorf("handled %q, want the stored update", got)
	}
	waitHandled(t, store, a)
}

// newWebhookAdapter makes an adapter in webhook mode on a free loopback port;
// public is the address Telegram is told to call.
func newWebhookAdapter(t *testing.T, s *telegramtest.Server) (a *Adapter, public string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	public = "http://" + ln.Addr().String() + WebhookPath
	a = newAdapter(t, s, nil, func(c *Config) {
		c.Mode, c.Listen, c.PublicURL, c.Secret = ModeWebhook, ln.Addr().String(), public, "s3cret_token-1"
	})
	a.listener = ln
	return a, public
}

func TestWebhook(t *testing.T) {
	s := telegramtest.NewServer(t)
	a, public := newWebhookAdapter(t, s)
	rec := &recorder{}
	failOnce := true
	h := echo(a, rec)
	r := start(t, a, bot.HandlerFunc(func(ctx context.Context, m bot.Message) error {
		if m.Text == "fail" && failOnce {
			failOnce = false
			return errors.New("storage down")
		}
		return h.Handle(ctx, m)
	}))
	waitFor(t, "setWebhook", func() bool { return s.WebhookURL() == public })

	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	s.SendText(5, "hi")
	if err := s.DeliverWebhook(ctx); err != nil {
		t.Fatalf("deliver: %v", err)
	}
	msgs := s.Messages(5) // the reply is sent before the webhook request is answered
	if len(msgs) != 1 || msgs[0].Text != "echo: hi" {
		t.Fatalf("reply: got %+v, want echo: hi", msgs)
	}

	t.Run("ErrWrongSecret", func(t *testing.T) {
		s.SendText(5, "impostor")
		for _, secret := range []string{"wrong", ""} {
			var werr *telegramtest.WebhookError
			if err := s.DeliverWebhookWithSecret(ctx, secret); !errors.As(err, &werr) || werr.StatusCode != http.StatusUnauthorized {
				t.Errorf("secret %q: got %v, want 401", secret, err)
			}
		}
		if got := len(rec.all()); got != 1 {
			t.Errorf("handled: got %d messages, want 1 (rejected requests are not processed)", got)
		}
		if err := s.DeliverWebhook(ctx); err != nil {
			t.Fatalf("deliver with the right secret: %v", err)
		}
	})

	t.Run("Press", func(t *testing.T) {
		s.Press(5, msgs[0].MessageID, "no")
		if err := s.DeliverWebhook(ctx); err != nil {
			t.Fatalf("deliver: %v", err)
		}
		got := s.Messages(5)
		if got[0].Text != "echo: hi\n\n› No" || got[0].Buttons != nil || got[len(got)-1].Text != "pressed: no" {
			t.Errorf("after press: got %+v, want the chosen label in place of the keyboard and a reply", got)
		}
		if st := s.Stats(); st.CallbacksPending != 0 {
			t.Errorf("pending callbacks: got %d, want 0", st.CallbacksPending)
		}
	})

	t.Run("HandlerFailureRedelivered", func(t *testing.T) {
		s.SendText(5, "fail")
		var werr *telegramtest.WebhookError
		if err := s.DeliverWebhook(ctx); !errors.As(err, &werr) || werr.StatusCode != http.StatusInternalServerError {
			t.Fatalf("failing handler: got %v, want 500", err)
		}
		if err := s.DeliverWebhook(ctx); err != nil {
			t.Fatalf("redelivery: %v", err)
		}
		if got := s.Messages(5); got[len(got)-1].Text != "echo: fail" {
			t.Errorf("after redelivery: got %q, want echo: fail", got[len(got)-1].Text)
		}
	})

	r.stop(t)
	if got := s.Calls("getUpdates"); got != 0 {
		t.Errorf("getUpdates calls in webhook mode: got %d, want 0", got)
	}
	if resp, err := http.Post(public, "application/json", strings.NewReader("{}")); err == nil {
		resp.Body.Close()
		t.Error("webhook server still answers after Run returned")
	}
}

func TestSendEscapesHTML(t *testing.T) {
	s := telegramtest.NewServer(t)
	a := newAdapter(t, s, nil, nil)
	s.SendText(1, "hi")
	const text = "<3 & more <b>not bold</b> a > b"
	if err := a.Send(context.Background(), bot.Reply{ChatID: "telegram:1", Text: text}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if got := s.Messages(1); len(got) != 1 || got[0].Text != text {
		t.Errorf("got %+v, want %q intact", got, text)
	}
}

func TestSendSplitsLongText(t *testing.T) {
	s := telegramtest.NewServer(t)
	a := newAdapter(t, s, nil, nil)
	s.SendText(1, "hi")
	var lines []string
	for i := range 120 {
		lines = append(lines, fmt.Sprintf("%03d %s", i, strings.Repeat("é😀x", 25))) // 4+100 UTF-16 units per line
	}
	text := strings.Join(lines, "\n")
	err := a.Send(context.Background(), bot.Reply{ChatID: "telegram:1", Text: text, Buttons: []bot.Button{{Label: "Ok", Data: "ok"}}})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	msgs := s.Messages(1)
	if len(msgs) < 2 {
		t.Fatalf("got %d messages, want the text split", len(msgs))
	}
	var parts []string
	for i, m := range msgs {
		if n := utf16Len(m.Text); n > maxTextUnits {
			t.Errorf("part %d: %d UTF-16 units, want at most %d", i, n, maxTextUnits)
		}
		if last := i == len(msgs)-1; (m.Buttons != nil) != last {
			t.Errorf("part %d: buttons %v, want buttons only on the last part", i, m.Buttons)
		}
		parts = append(parts, m.Text)
	}
	if got := strings.Join(parts, "\n"); got != text {
		t.Errorf("parts joined at line breaks differ from the original")
	}
}

func TestSplitText(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		limit int
		want  []string
	}{
		{"Short", "hello", 10, []string{"hello"}},
		{"AtLineBreak", "aaaa\nbbbb\ncccc", 10, []string{"aaaa\nbbbb", "cccc"}},
		{"AtSpace", "aaaa bbbb cccc", 10, []string{"aaaa bbbb", "cccc"}},
		{"HardCut", "abcdefghijkl", 5, []string{"abcde", "fghij", "kl"}},
		{"EmojiCountTwice", "😀😀😀", 4, []string{"😀😀", "😀"}},
		{"BlankLinesDropped", "aaaa\n\n\nbbbb", 5, []string{"aaaa", "bbbb"}},
		{"Empty", "", 5, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := splitText(tt.in, tt.limit); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestKeyboardLayout(t *testing.T) {
	buttons := func(labels ...string) []bot.Button {
		var out []bot.Button
		for _, l := range labels {
			out = append(out, bot.Button{Label: l, Data: l})
		}
		return out
	}
	tests := []struct {
		name    string
		buttons []bot.Button
		want    []int // buttons per row
	}{
		{"None", nil, nil},
		{"ShortInThrees", buttons("1", "2", "3", "4", "5"), []int{3, 2}},
		{"TwelveRunesStillShort", buttons("Ausgezeichne", "ok"), []int{2}},
		{"LongOnePerRow", buttons("Not today, thanks", "Yes"), []int{1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []int
			if kb := keyboard(tt.buttons); kb != nil {
				for _, row := range kb.InlineKeyboard {
					got = append(got, len(row))
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("row sizes: got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSendDocument(t *testing.T) {
	content := []byte(`{"client":"telegram:1","reflections":[]}`)
	tests := []struct {
		name      string
		text      string
		wantTexts []string // visible text of each message; the last carries the document
	}{
		{"CaptionFits", "Your data", []string{"Your data"}},
		{"LongTextFirst", strings.Repeat("a", 1500), []string{strings.Repeat("a", 1500), ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := telegramtest.NewServer(t)
			a := newAdapter(t, s, nil, nil)
			s.SendText(1, "/export")
			err := a.Send(context.Background(), bot.Reply{ChatID: "telegram:1", Text: tt.text,
				Document: &bot.Document{Name: "export.json", Content: content}, Buttons: []bot.Button{{Label: "Done", Data: "done"}}})
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			msgs := s.Messages(1)
			if len(msgs) != len(tt.wantTexts) {
				t.Fatalf("got %d messages, want %d", len(msgs), len(tt.wantTexts))
			}
			for i, m := range msgs {
				if m.Text != tt.wantTexts[i] {
					t.Errorf("message %d: got %d characters of text, want %d", i, len(m.Text), len(tt.wantTexts[i]))
				}
			}
			doc := msgs[len(msgs)-1]
			if doc.Document == nil || doc.Document.Name != "export.json" || !bytes.Equal(doc.Document.Content, content) {
				t.Errorf("document: got %+v, want export.json with its bytes", doc.Document)
			}
			if got := doc.Labels(); !reflect.DeepEqual(got, []string{"Done"}) {
				t.Errorf("document buttons: got %v, want [Done]", got)
			}
		})
	}
}

func TestSendErrorClassification(t *testing.T) {
	type check func(error) bool
	isRetryAfter := func(d time.Duration) check {
		return func(err error) bool {
			var ra *bot.RetryAfterError
			return errors.As(err, &ra) && ra.After == d
		}
	}
	isUnreachable := func(err error) bool { return errors.Is(err, bot.ErrUnreachable) }
	isPermanent := func(err error) bool {
		var pe *bot.PermanentError
		return errors.As(err, &pe)
	}
	isTransient := func(err error) bool {
		var ra *bot.RetryAfterError
		return err != nil && !isUnreachable(err) && !isPermanent(err) && !errors.As(err, &ra)
	}
	tests := []struct {
		name  string
		setup func(s *telegramtest.Server, method string)
		chat  string
		want  check
	}{
		{"RetryAfter", func(s *telegramtest.Server, m string) { s.FailNext(m, 1, 429, 7) }, "telegram:1", isRetryAfter(7 * time.Second)},
		{"ErrBlocked", func(s *telegramtest.Server, m string) { s.FailNext(m, 1, 403, 0) }, "telegram:1", isUnreachable},
		{"ErrBlockedChat", func(s *telegramtest.Server, m string) { s.Block(1) }, "telegram:1", isUnreachable},
		{"ErrDeactivated", func(s *telegramtest.Server, m string) {
			s.FailNextWith(m, 1, 403, "Forbidden: user is deactivated", 0)
		}, "telegram:1", isUnreachable},
		{"ErrChatNotFound", func(*telegramtest.Server, string) {}, "telegram:77", isUnreachable},
		{"ErrBadRequest", func(s *telegramtest.Server, m string) { s.FailNext(m, 1, 400, 0) }, "telegram:1", isPermanent},
		{"ErrOtherPlatform", func(*telegramtest.Server, string) {}, "discord:1", isPermanent},
		{"ErrServer", func(s *telegramtest.Server, m string) { s.FailNext(m, 1, 500, 0) }, "telegram:1", isTransient},
		{"ErrNetwork", func(s *telegramtest.Server, m string) { s.DropNext(m, 1) }, "telegram:1", isTransient},
	}
	for _, method := range []string{"sendMessage", "sendDocument"} {
		for _, tt := range tests {
			t.Run(method+"/"+tt.name, func(t *testing.T) {
				s := telegramtest.NewServer(t)
				a := newAdapter(t, s, nil, nil)
				s.SendText(1, "hi")
				tt.setup(s, method)
				reply := bot.Reply{ChatID: tt.chat, Text: "hello"}
				if method == "sendDocument" {
					reply.Document = &bot.Document{Name: "a.txt", Content: []byte("a")}
				}
				err := a.Send(context.Background(), reply)
				if !tt.want(err) {
					t.Errorf("got %v (%T), want it classified as %s", err, err, tt.name)
				}
				if err != nil && strings.Contains(err.Error(), s.Token()) {
					t.Errorf("error %q contains the token", err)
				}
				var sdkErr *tgbotapi.Error
				if errors.As(err, &sdkErr) {
					t.Errorf("error %v exposes the SDK's error type", err)
				}
			})
		}
	}
}

func TestNewRejectsWrongToken(t *testing.T) {
	s := telegramtest.NewServer(t)
	_, err := New(context.Background(), Config{Token: "1000:wrong", APIURL: s.URL()}, nil)
	if got, want := fmt.Sprint(err), "telegram: token rejected by getMe: Unauthorized"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := s.Calls("getMe"), 1; got != want {
		t.Errorf("getMe calls: got %d, want %d (no retries)", got, want)
	}
}

func TestNewKeepsTokenOutOfErrors(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	const token = "1000:very-secret"
	_, err := New(context.Background(), Config{Token: token, APIURL: closed.URL}, nil)
	if err == nil || strings.Contains(err.Error(), token) || strings.Contains(err.Error(), "\n") {
		t.Errorf("got %q, want one line without the token", err)
	}
}

func TestNewValidatesConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"ErrNoToken", Config{}, "token is empty"},
		{"ErrMode", Config{Token: "t", Mode: "carrier-pigeon"}, "mode"},
		{"ErrAPIURL", Config{Token: "t", APIURL: "not a url"}, "api_url"},
		{"ErrWebhookListen", Config{Token: "t", Mode: ModeWebhook, PublicURL: "https://x/telegram", Secret: "s"}, "listen"},
		{"ErrWebhookURL", Config{Token: "t", Mode: ModeWebhook, Listen: ":8443", Secret: "s"}, "public_url"},
		{"ErrWebhookSecret", Config{Token: "t", Mode: ModeWebhook, Listen: ":8443", PublicURL: "https://x/telegram", Secret: "has space"}, "secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(context.Background(), tt.cfg, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error about %s", err, tt.want)
			}
		})
	}
}

func TestSetCommandsAndInviteLink(t *testing.T) {
	s := telegramtest.NewServer(t, telegramtest.WithUsername("CoachingBot"))
	a := newAdapter(t, s, nil, nil)
	cmds := []bot.Command{{Name: "start", Description: "Begin"}, {Name: "checkin", Description: "Reflect now"}}
	if err := a.SetCommands(context.Background(), cmds); err != nil {
		t.Fatalf("SetCommands: %v", err)
	}
	want := []telegramtest.Command{{Name: "start", Description: "Begin"}, {Name: "checkin", Description: "Reflect now"}}
	if got := s.Commands(); !reflect.DeepEqual(got, want) {
		t.Errorf("commands: got %+v, want %+v", got, want)
	}
	// A menu per language, for people whose app speaks it.
	cmds[0].Localized = map[string]string{"de": "Loslegen"}
	if err := a.SetCommands(context.Background(), cmds); err != nil {
		t.Fatalf("SetCommands: %v", err)
	}
	wantDE := []telegramtest.Command{{Name: "start", Description: "Loslegen"}, {Name: "checkin", Description: "Reflect now"}}
	if got := s.CommandsIn("de"); !reflect.DeepEqual(got, wantDE) {
		t.Errorf("German commands: got %+v, want %+v", got, wantDE)
	}
	if got := s.Commands(); !reflect.DeepEqual(got, want) {
		t.Errorf("commands for everyone after the German menu: got %+v, want %+v", got, want)
	}
	if got, want := a.Username(), "CoachingBot"; got != want {
		t.Errorf("Username: got %q, want %q", got, want)
	}
	if got, want := a.InviteLink("inv-42"), "https://t.me/CoachingBot?start=inv-42"; got != want {
		t.Errorf("InviteLink: got %q, want %q", got, want)
	}
}

// syncBuffer collects log output from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *syncBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

func TestLogsKeepTokenAndTextOut(t *testing.T) {
	s := telegramtest.NewServer(t)
	var logs syncBuffer
	a := newAdapter(t, s, nil, func(c *Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	s.DropNext("getUpdates", 1)
	s.FailNext("getUpdates", 1, http.StatusBadGateway, 0)
	s.FailNext("answerCallbackQuery", 1, http.StatusBadRequest, 0)
	s.FailNext("sendMessage", 1, http.StatusInternalServerError, 0)
	rec := &recorder{}
	r := start(t, a, echo(a, rec))
	s.SendText(1, "my private reflection")
	rec.wait(t, 1)
	s.SendText(1, "another private thought")
	msgs := waitMessages(t, s, 1, 1)
	s.Press(1, msgs[0].MessageID, "yes")
	waitMessages(t, s, 1, 2)
	r.stop(t)

	out := logs.String()
	if out == "" {
		t.Fatal("got no logs, want the failures logged")
	}
	for _, secret := range []string{s.Token(), "private reflection", "private thought", "echo:"} {
		if strings.Contains(out, secret) {
			t.Errorf("logs contain %q:\n%s", secret, out)
		}
	}
}
