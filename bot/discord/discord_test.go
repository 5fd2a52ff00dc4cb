package discord

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/bot/discord/discordtest"
)

// wait is the generous timeout for things that should happen within a second or two.
const wait = 10 * time.Second

var testTexts = Texts{MovedToDM: "moved to your DMs", Received: "✓"}

func newAdapter(tb testing.TB, srv *discordtest.Server, edit ...func(*Config)) *Adapter {
	tb.Helper()
	cfg := Config{
		Token:       srv.Token(),
		APIURL:      srv.URL(),
		Texts:       testTexts,
		OpenTimeout: 5 * time.Second,
		Logger:      slog.New(slog.NewTextHandler(testWriter{tb}, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, e := range edit {
		e(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	a, err := New(ctx, cfg)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	a.backoff = 50 * time.Millisecond
	return a
}

type testWriter struct{ tb testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.tb.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// runner is Run in a goroutine, stopped when the test ends.
type runner struct {
	cancel context.CancelFunc
	done   chan struct{}
	err    error
}

func start(tb testing.TB, a *Adapter, h bot.Handler) *runner {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &runner{cancel: cancel, done: make(chan struct{})}
	go func() {
		r.err = a.Run(ctx, h)
		close(r.done)
	}()
	tb.Cleanup(func() { r.stop(tb) })
	return r
}

// stop cancels Run and returns its result.
func (r *runner) stop(tb testing.TB) error {
	tb.Helper()
	r.cancel()
	return r.wait(tb)
}

// wait waits for Run to return by itself.
func (r *runner) wait(tb testing.TB) error {
	tb.Helper()
	select {
	case <-r.done:
		return r.err
	case <-time.After(wait):
		tb.Fatalf("Run did not return within %s", wait)
		return nil
	}
}

func waitReady(tb testing.TB, srv *discordtest.Server) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := srv.WaitReady(ctx); err != nil {
		tb.Fatal(err)
	}
}

// recorder collects the messages a handler received.
type recorder struct {
	mu      sync.Mutex
	got     []bot.Message
	changed chan struct{}
}

func newRecorder() *recorder { return &recorder{changed: make(chan struct{})} }

func (r *recorder) add(m bot.Message) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, m)
	close(r.changed)
	r.changed = make(chan struct{})
}

func (r *recorder) messages() []bot.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bot.Message(nil), r.got...)
}

// wait waits until at least n messages arrived.
func (r *recorder) wait(tb testing.TB, n int) []bot.Message {
	tb.Helper()
	timeout := time.After(wait)
	for {
		r.mu.Lock()
		got, ch := append([]bot.Message(nil), r.got...), r.changed
		r.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-ch:
		case <-timeout:
			tb.Fatalf("handler got %d messages, want %d", len(got), n)
		}
	}
}

// echo is the engine of these tests: it records each message, runs before (if
// any) and answers in the chat as the dispatcher would.
func echo(a *Adapter, rec *recorder, before func(bot.Message) error) bot.Handler {
	return bot.HandlerFunc(func(ctx context.Context, m bot.Message) error {
		rec.add(m)
		if before != nil {
			if err := before(m); err != nil {
				return err
			}
		}
		text := "echo: " + m.Text
		if m.Press != "" {
			text = "pressed: " + m.Press
		}
		return a.Send(ctx, bot.Reply{ChatID: m.ChatID, Text: text})
	})
}

func waitMessages(tb testing.TB, srv *discordtest.Server, channel string, n int) []discordtest.Sent {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	got, err := srv.WaitMessages(ctx, channel, n)
	if err != nil {
		tb.Fatal(err)
	}
	return got
}

func waitInteraction(tb testing.TB, srv *discordtest.Server, id string, what string, cond func(discordtest.Interaction) bool) discordtest.Interaction {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	in, err := srv.WaitInteraction(ctx, id, cond)
	if err != nil {
		tb.Fatalf("%s: %v (now %+v)", what, err, in)
	}
	return in
}

func TestDMRoundTrip(t *testing.T) {
	t.Parallel()
	srv := discordtest.NewServer(t)
	a := newAdapter(t, srv)
	rec := newRecorder()
	start(t, a, echo(a, rec, nil))

	srv.SendGuildMessage("7", "guild-1", "in a server channel")
	srv.SendDM("42", "hello")
	dm := srv.DMChannel("42")

	sent := waitMessages(t, srv, dm, 1)
	if got, want := sent[0].Content, "echo: hello"; got != want {
		t.Errorf("reply = %q, want %q", got, want)
	}
	got := rec.messages()
	if len(got) != 1 {
		t.Fatalf("handler got %d messages, want 1 (server channel messages are ignored): %+v", len(got), got)
	}
	m := got[0]
	want := bot.Message{ChatID: "discord:" + dm, UserID: "discord:42", Name: "User 42", Text: "hello"}
	if m.ChatID != want.ChatID || m.UserID != want.UserID || m.Name != want.Name || m.Text != want.Text || m.Press != "" || m.Group {
		t.Errorf("message = %+v, want %+v", m, want)
	}
	if !strings.HasPrefix(m.UpdateID, "discord:") || len(m.UpdateID) <= len("discord:") {
		t.Errorf("UpdateID = %q, want discord:<message id>", m.UpdateID)
	}
	if d := time.Since(m.At); d < 0 || d > time.Minute {
		t.Errorf("At = %v, want about now", m.At)
	}
	if got, want := srv.Intents(), 1<<12; got != want {
		t.Errorf("intents = %d, want %d (direct messages only)", got, want)
	}
}

var testCommands = []bot.Command{
	{Name: "checkin", Description: "Reflect now"},
	{Name: "session", Description: "Set the next session date", Args: []bot.Arg{
		{Name: "name", Description: "Client", Required: true},
		{Name: "date", Description: "YYYY-MM-DD", Required: true},
	}},
	// An optional argument declared before a required one: Discord wants them the
	// other way round, but the text must keep the declared order.
	{Name: "suggest", Description: "", Args: []bot.Arg{
		{Name: "note", Description: "optional note"},
		{Name: "who", Required: true},
	}},
}

func registerCommands(tb testing.TB, a *Adapter) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := a.RegisterCommands(ctx, testCommands); err != nil {
		tb.Fatalf("RegisterCommands: %v", err)
	}
}

func TestSlashCommandInGuildMovesToDM(t *testing.T) {
	t.Parallel()
	srv := discordtest.NewServer(t)
	a := newAdapter(t, srv)
	registerCommands(t, a)
	rec := newRecorder()
	start(t, a, echo(a, rec, nil))

	tests := []struct {
		opts []string
		name string
		want string
	}{
		{name: "session", opts: []string{"Ann", "2026-12-01"}, want: "/session Ann 2026-12-01"},
		// Discord fills "who" first (required options come first there).
		{name: "suggest", opts: []string{"Ann", "walk daily"}, want: "/suggest walk daily Ann"},
		{name: "suggest", opts: []string{"Ann"}, want: "/suggest Ann"},
	}
	dm := srv.DMChannel("42")
	for i, tt := range tests {
		id := srv.SlashCommand("42", "guild-1", tt.name, tt.opts...)
		in := waitInteraction(t, srv, id, "ack", func(in discordtest.Interaction) bool { return len(in.Responses) > 0 })
		r := in.Responses[0]
		if r.Type != 4 || !r.Ephemeral || r.Content != testTexts.MovedToDM {
			t.Errorf("%s: response = %+v, want ephemeral type 4 %q", tt.want, r, testTexts.MovedToDM)
		}
		sent := waitMessages(t, srv, dm, i+1)
		if got, want := sent[i].Content, "echo: "+tt.want; got != want {
			t.Errorf("DM reply = %q, want %q", got, want)
		}
		m := rec.wait(t, i+1)[i]
		if got, want := m.ChatID, "discord:"+dm; got != want {
			t.Errorf("ChatID = %q, want the DM channel %q", got, want)
		}
		if got, want := m.UpdateID, "discord:"+id; got != want {
			t.Errorf("UpdateID = %q, want %q", got, want)
		}
	}
	if got := srv.Messages(srv.DMChannel("nobody")); len(got) != 0 {
		t.Errorf("unexpected messages %+v", got)
	}
}

func TestSlashCommandInGuildWithoutMovedText(t *testing.T) {
	t.Parallel()
	srv := discordtest.NewServer(t)
	a := newAdapter(t, srv, func(c *Config) { c.Texts = Texts{} })
	registerCommands(t, a)
	rec := newRecorder()
	start(t, a, echo(a, rec, nil))

	id := srv.SlashCommand("42", "guild-1", "checkin")
	in := waitInteraction(t, srv, id, "placeholder removed", func(in discordtest.Interaction) bool { return in.OriginalDeleted })
	if r := in.Responses[0]; r.Type != 5 || !r.Ephemeral {
		t.Errorf("response = %+v, want an ephemeral deferred ack", r)
	}
	if got := waitMessages(t, srv, srv.DMChannel("42"), 1)[0].Content; got != "echo: /checkin" {
		t.Errorf("DM reply = %q, want %q", got, "echo: /checkin")
	}
}

func TestSlashCommandInDMSlowHandler(t *testing.T) {
	t.Parallel()
	srv := discordtest.NewServer(t)
	a := newAdapter(t, srv)
	registerCommands(t, a)
	rec := newRecorder()
	slow := func(bot.Message) error { time.Sleep(4 * time.Second); return nil }
	start(t, a, echo(a, rec, slow))

	id := srv.SlashCommand("42", "", "checkin")
	in := waitInteraction(t, srv, id, "deferred ack", func(in discordtest.Interaction) bool { return len(in.Responses) > 0 })
	if r := in.Responses[0]; r.Type != 5 || r.After >= 3*time.Second {
		t.Errorf("response = %+v, want a deferred ack (type 5) within 3s", r)
	}
	in = waitInteraction(t, srv, id, "placeholder removed", func(in discordtest.Interaction) bool { return in.OriginalDeleted })
	if in.Late != 0 || len(in.Responses) != 1 {
		t.Errorf("late = %d, responses = %d, want 0 and 1", in.Late, len(in.Responses))
	}
	sent := waitMessages(t, srv, srv.DMChannel("42"), 1)
	if got, want := sent[0].Content, "echo: /checkin"; got != want {
		t.Errorf("reply = %q, want %q", got, want)
	}
}

func TestButtonPress(t *testing.T) {
	t.Parallel()
	srv := discordtest.NewServer(t)
	a := newAdapter(t, srv)
	rec := newRecorder()
	failing := func(m bot.Message) error {
		if m.Press == "bad" {
			return errors.New("engine failed")
		}
		return nil
	}
	start(t, a, echo(a, rec, failing))

	ask := func(dm, text string) discordtest.Sent {
		t.Helper()
		err := a.Send(context.Background(), bot.Reply{ChatID: "discord:" + dm, Text: text, Buttons: []bot.Button{
			{Label: "Good", Data: "good"}, {Label: "Bad", Data: "bad"},
		}})
		if err != nil {
			t.Fatalf("Send: %v", err)
		}
		return waitMessages(t, srv, dm, 1)[0]
	}

	tests := []struct {
		user, press, label string
	}{
		{user: "42", press: "good", label: "Good"},
		{user: "43", press: "bad", label: "Bad"}, // the handler fails; the press is still acknowledged
	}
	for i, tt := range tests {
		dm := srv.DMChannel(tt.user)
		q := ask(dm, "How was it?")
		id := srv.Press(tt.user, q.ID, tt.press)
		in := waitInteraction(t, srv, id, "ack", func(in discordtest.Interaction) bool { return len(in.Responses) > 0 })
		if r := in.Responses[0]; r.Type != 7 || r.After >= 3*time.Second {
			t.Errorf("%s: response = %+v, want an update (type 7) within 3s", tt.press, r)
		}
		m, _ := srv.Message(q.ID)
		if got, want := m.Content, "How was it?\n\n› "+tt.label; got != want {
			t.Errorf("%s: message = %q, want %q", tt.press, got, want)
		}
		for _, b := range m.Buttons() {
			if !b.Disabled {
				t.Errorf("%s: button %q still enabled", tt.press, b.Label)
			}
		}
		got := rec.wait(t, i+1)[i]
		if got.Press != tt.press || got.Text != "" || got.ChatID != "discord:"+dm || got.UpdateID != "discord:"+id {
			t.Errorf("message = %+v, want press %q in %s", got, tt.press, dm)
		}
	}
	if got := waitMessages(t, srv, srv.DMChannel("42"), 2)[1].Content; got != "pressed: good" {
		t.Errorf("reply to the press = %q, want %q", got, "pressed: good")
	}
}

func TestRegisterCommandsTwice(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		guild string
	}{
		{name: "Global"},
		{name: "Guild", guild: "guild-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := discordtest.NewServer(t)
			a := newAdapter(t, srv, func(c *Config) { c.GuildID = tt.guild })
			registerCommands(t, a)
			first := srv.Commands(tt.guild)
			registerCommands(t, a)
			second := srv.Commands(tt.guild)
			if len(first) != len(testCommands) || len(second) != len(testCommands) {
				t.Fatalf("commands = %d then %d, want %d both times", len(first), len(second), len(testCommands))
			}
			for i := range first {
				if first[i].ID != second[i].ID || first[i].Name != second[i].Name {
					t.Errorf("command %d = %+v then %+v, want the same", i, first[i], second[i])
				}
			}
			other := ""
			if tt.guild == "" {
				other = "guild-1"
			}
			if got := srv.Commands(other); len(got) != 0 {
				t.Errorf("commands in scope %q = %+v, want none", other, got)
			}
			suggest := second[2]
			if got, want := len(suggest.Options), 2; got != want {
				t.Fatalf("suggest options = %+v", suggest.Options)
			}
			if o := suggest.Options[0]; o.Name != "who" || !o.Required || o.Type != 3 {
				t.Errorf("first option = %+v, want required string option who", o)
			}
			if got, want := suggest.Description, "suggest"; got != want {
				t.Errorf("empty description became %q, want %q", got, want)
			}
		})
	}
}

func TestSendLongTextWithButtons(t *testing.T) {
	t.Parallel()
	srv := discordtest.NewServer(t)
	a := newAdapter(t, srv)
	dm := srv.DMChannel("42")

	var lines []string
	for i := range 120 {
		lines = append(lines, strings.Repeat("word ", 7)+strings.Repeat("x", i%5))
	}
	text := strings.Join(lines, "\n")
	var buttons []bot.Button
	for i := range 7 {
		buttons = append(buttons, bot.Button{Label: strings.Repeat("L", 70+i*5), Data: string(rune('a' + i))})
	}
	if err := a.Send(context.Background(), bot.Reply{ChatID: "discord:" + dm, Text: text, Buttons: buttons}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	sent := srv.Messages(dm)
	if len(sent) < 3 {
		t.Fatalf("got %d messages for %d characters, want at least 3", len(sent), utf8.RuneCountInString(text))
	}
	var joined []string
	for i, m := range sent {
		if n := utf8.RuneCountInString(m.Content); n > 2000 {
			t.Errorf("part %d has %d characters", i, n)
		}
		if strings.HasSuffix(m.Content, "\n") || strings.HasPrefix(m.Content, "\n") {
			t.Errorf("part %d not cut at a line break", i)
		}
		if i < len(sent)-1 && len(m.Rows) != 0 {
			t.Errorf("part %d has buttons, want them on the last part only", i)
		}
		joined = append(joined, m.Content)
	}
	if got := strings.Join(joined, "\n"); got != text {
		t.Errorf("parts joined differ from the text")
	}
	last := sent[len(sent)-1]
	if got, want := len(last.Rows), 2; got != want {
		t.Fatalf("rows = %d, want %d", got, want)
	}
	if got, want := len(last.Rows[0]), 5; got != want {
		t.Errorf("first row has %d buttons, want %d", got, want)
	}
	for i, b := range last.Buttons() {
		if b.CustomID != buttons[i].Data {
			t.Errorf("button %d custom_id = %q, want %q", i, b.CustomID, buttons[i].Data)
		}
		if n := utf8.RuneCountInString(b.Label); n > 80 {
			t.Errorf("button %d label has %d characters", i, n)
		}
	}
}

func TestSendDocument(t *testing.T) {
	t.Parallel()
	srv := discordtest.NewServer(t)
	a := newAdapter(t, srv)
	dm := srv.DMChannel("42")
	content := []byte(`{"experiments":[]}` + "\x00\xff")
	err := a.Send(context.Background(), bot.Reply{ChatID: "discord:" + dm, Text: "Your data", Document: &bot.Document{Name: "export.json", Content: content}})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	sent := srv.Messages(dm)
	if len(sent) != 1 || len(sent[0].Files) != 1 {
		t.Fatalf("messages = %+v, want one with one file", sent)
	}
	if got, want := sent[0].Content, "Your data"; got != want {
		t.Errorf("content = %q, want %q", got, want)
	}
	f := sent[0].Files[0]
	if f.Name != "export.json" || !bytes.Equal(f.Content, content) {
		t.Errorf("file = %q %q, want export.json %q", f.Name, f.Content, content)
	}
}

func TestSendErrors(t *testing.T) {
	t.Parallel()
	srv := discordtest.NewServer(t)
	a := newAdapter(t, srv)
	dm := srv.DMChannel("42")
	blocked := srv.DMChannel("43")
	srv.SetCode50007("43")
	route := func(ch string) string { return "POST /channels/" + ch + "/messages" }

	tests := []struct {
		name      string
		chat      string
		reply     bot.Reply
		fail      func()
		check     func(error) bool
		wantTries int
	}{
		{
			name: "RateLimited", chat: dm,
			fail: func() { srv.FailNext(route(dm), 1, 429, 1.5) },
			check: func(err error) bool {
				var r *bot.RetryAfterError
				return errors.As(err, &r) && r.After == 1500*time.Millisecond
			},
		},
		{
			name: "Unreachable", chat: blocked,
			check: func(err error) bool { return errors.Is(err, bot.ErrUnreachable) },
		},
		{
			name: "ServerError", chat: dm,
			fail:  func() { srv.FailNext(route(dm), 1, 500, 0) },
			check: retryable,
		},
		{
			name: "BadGateway", chat: dm,
			fail:  func() { srv.FailNext(route(dm), 1, 502, 0) },
			check: retryable,
		},
		{
			name: "BadRequest", chat: dm,
			fail:  func() { srv.FailNext(route(dm), 1, 400, 0) },
			check: permanent,
		},
		{
			name: "UnknownChannel", chat: "123",
			check: permanent,
		},
		{
			name: "TooLongForDiscord", chat: dm,
			reply: bot.Reply{Text: "x", Buttons: []bot.Button{{Label: "a", Data: "same"}, {Label: "b", Data: "same"}}},
			check: permanent, wantTries: -1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.fail != nil {
				tt.fail()
			}
			reply := tt.reply
			if reply.Text == "" {
				reply.Text = "hi"
			}
			reply.ChatID = "discord:" + tt.chat
			before := countRequests(srv, route(tt.chat))
			err := a.Send(context.Background(), reply)
			if err == nil || !tt.check(err) {
				t.Errorf("Send = %v (%T), wrong kind of error", err, err)
			}
			want := 1
			if tt.wantTries < 0 {
				want = 0
			}
			if got := countRequests(srv, route(tt.chat)) - before; got != want {
				t.Errorf("requests = %d, want %d (no retries inside the adapter)", got, want)
			}
		})
	}
	t.Run("NotDiscord", func(t *testing.T) {
		if err := a.Send(context.Background(), bot.Reply{ChatID: "telegram:1", Text: "hi"}); !permanent(err) {
			t.Errorf("Send = %v, want a permanent error", err)
		}
	})
}

func retryable(err error) bool {
	var r *bot.RetryAfterError
	var p *bot.PermanentError
	return !errors.As(err, &r) && !errors.As(err, &p) && !errors.Is(err, bot.ErrUnreachable)
}

func permanent(err error) bool {
	var p *bot.PermanentError
	return errors.As(err, &p) && !errors.Is(err, bot.ErrUnreachable)
}

func countRequests(srv *discordtest.Server, route string) int {
	n := 0
	for _, r := range srv.Requests() {
		if r == route {
			n++
		}
	}
	return n
}

func TestResumeAfterDrop(t *testing.T) {
	t.Parallel()
	srv := discordtest.NewServer(t)
	a := newAdapter(t, srv)
	rec := newRecorder()
	start(t, a, echo(a, rec, nil))
	dm := srv.DMChannel("42")

	srv.SendDM("42", "1")
	rec.wait(t, 1)
	srv.DropGateway()
	srv.SendDM("42", "2") // while the bot is away
	srv.SendDM("42", "3")
	waitReady(t, srv)
	srv.SendDM("42", "4")
	waitMessages(t, srv, dm, 4)
	time.Sleep(200 * time.Millisecond) // time for a duplicate to show up

	var texts []string
	for _, m := range rec.messages() {
		texts = append(texts, m.Text)
	}
	if got, want := strings.Join(texts, ","), "1,2,3,4"; got != want {
		t.Errorf("handled %s, want %s once each, in order", got, want)
	}
	if got := srv.Resumes(); got < 1 {
		t.Errorf("resumes = %d, want at least 1", got)
	}
	if got, want := srv.Identifies(), 1; got != want {
		t.Errorf("identifies = %d, want %d (the session resumes, not restarts)", got, want)
	}
}

func TestRunStopsOnFatalCloseCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		code   int
		before bool // refused from the first connection, not mid-session
	}{
		{name: "DisallowedIntents", code: 4014},
		{name: "DisallowedIntentsAtStart", code: 4014, before: true},
		{name: "AuthenticationFailed", code: 4004},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := discordtest.NewServer(t)
			a := newAdapter(t, srv)
			if tt.before {
				srv.CloseWithCode(tt.code)
			}
			r := start(t, a, echo(a, newRecorder(), nil))
			if !tt.before {
				waitReady(t, srv)
				srv.CloseWithCode(tt.code)
			}
			err := r.wait(t)
			if err == nil || !strings.Contains(err.Error(), strconv.Itoa(tt.code)) {
				t.Errorf("Run = %v, want an error naming close code %d", err, tt.code)
			}
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("Run error spans lines: %q", err)
			}
		})
	}
}

func TestNewRejectsWrongToken(t *testing.T) {
	t.Parallel()
	srv := discordtest.NewServer(t)
	_, err := New(context.Background(), Config{Token: "wrong", APIURL: srv.URL()})
	if err == nil {
		t.Fatal("New with a wrong token succeeded")
	}
	if got, want := err.Error(), "discord: token rejected: 401 Unauthorized"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	if got, want := countRequests(srv, "GET /users/@me"), 1; got != want {
		t.Errorf("token checks = %d, want %d (no retries)", got, want)
	}
	if _, err := New(context.Background(), Config{Token: "  "}); err == nil {
		t.Error("New with an empty token succeeded")
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	t.Parallel()
	srv := discordtest.NewServer(t)
	a := newAdapter(t, srv)
	started := make(chan struct{})
	var once sync.Once
	blocking := func(ctx context.Context, m bot.Message) error {
		once.Do(func() { close(started) })
		<-ctx.Done() // a handler in flight when the adapter stops
		return ctx.Err()
	}
	r := start(t, a, bot.HandlerFunc(blocking))
	srv.SendDM("42", "hello")
	select {
	case <-started:
	case <-time.After(wait):
		t.Fatal("handler not called")
	}
	if err := r.stop(t); err != nil {
		t.Errorf("Run = %v, want nil after cancel", err)
	}

	// A second Run after the first returned works; two at once do not.
	r2 := start(t, a, bot.HandlerFunc(blocking))
	for !a.running.Load() {
		time.Sleep(10 * time.Millisecond)
	}
	if err := a.Run(context.Background(), bot.HandlerFunc(blocking)); err == nil {
		t.Error("a second concurrent Run succeeded")
	}
	if err := r2.stop(t); err != nil {
		t.Errorf("Run = %v, want nil after cancel", err)
	}
}

func TestOpenRecovers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		break_ func(*discordtest.Server)
	}{
		{name: "ReadyNeverComes", break_: (*discordtest.Server).StallNextOpen},
		{name: "ReconnectDuringOpen", break_: (*discordtest.Server).ReconnectDuringNextOpen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := discordtest.NewServer(t)
			a := newAdapter(t, srv, func(c *Config) { c.OpenTimeout = 500 * time.Millisecond })
			tt.break_(srv)
			rec := newRecorder()
			start(t, a, echo(a, rec, nil))
			srv.SendDM("42", "hello")
			waitMessages(t, srv, srv.DMChannel("42"), 1)
			if got := srv.Identifies(); got < 2 {
				t.Errorf("identifies = %d, want a second attempt after the first open failed", got)
			}
			if got := len(rec.messages()); got != 1 {
				t.Errorf("handled %d messages, want 1", got)
			}
		})
	}
}

// TestNoPackageVariables checks that no discordgo package-level variable is
// assigned anywhere: endpoints, the logger and the JSON functions are shared by
// every session in the process.
func TestNoPackageVariables(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob("discordtest/*.go")
	assign := regexp.MustCompile(`discordgo\.[A-Z]\w*\s*(=[^=]|\+=)|discordgo\.Logger\b|discordgo\.(Marshal|Unmarshal)\b|websocket\.DefaultDialer`)
	for _, f := range append(files, more...) {
		if f == "discord_test.go" {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			if assign.MatchString(line) {
				t.Errorf("%s:%d touches a package-level variable: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}
